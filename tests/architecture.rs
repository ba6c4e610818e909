//! The floors of `src/manual/architecture.rs`, held: every `crate::` path
//! in `src/` names a module of the table, by its own path, on a lower floor
//! (or on the same floor without a cycle).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// module -> floor, from the table rows `| N | `module` | ... |`.
fn floors() -> BTreeMap<String, u32> {
    let text = std::fs::read_to_string(root().join("src/manual/architecture.rs")).unwrap();
    let mut floors = BTreeMap::new();
    for line in text.lines() {
        let cells: Vec<&str> = line
            .trim_start_matches("//!")
            .split('|')
            .map(str::trim)
            .collect();
        if let [_, floor, module, ..] = cells.as_slice() {
            if let (Ok(floor), Some(module)) = (
                floor.parse::<u32>(),
                module.strip_prefix('`').and_then(|m| m.strip_suffix('`')),
            ) {
                floors.insert(module.to_owned(), floor);
            }
        }
    }
    floors
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The module a file of `src/` belongs to (`None`: the crate root).
fn module_of(path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root().join("src")).unwrap();
    let first = rel
        .components()
        .next()?
        .as_os_str()
        .to_string_lossy()
        .into_owned();
    let name = first.trim_end_matches(".rs").to_owned();
    (name != "lib").then_some(name)
}

/// The first segment after each `crate::` in code (comments removed),
/// including each name of a `use crate::{a, b::c}` group.
fn crate_paths(source: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in source.lines() {
        let code = match line.find("//") {
            Some(i) => &line[..i],
            None => line,
        };
        let mut rest = code;
        while let Some(i) = rest.find("crate::") {
            rest = &rest[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // Only the segment right after `crate::{` or a comma at
                // depth one is a top-level name.
                let end = group.find('}').unwrap_or(group.len());
                for name in group[..end].split(',') {
                    let name: String = name
                        .trim()
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    if !name.is_empty() {
                        out.push(name);
                    }
                }
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(name);
            }
        }
    }
    out
}

#[test]
fn arrows_only_point_down() {
    let floors = floors();
    assert!(
        floors.len() >= 19,
        "the floor table has {} modules",
        floors.len()
    );
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for file in &files {
        let Some(module) = module_of(file) else {
            continue;
        };
        if module == "manual" {
            continue;
        }
        let Some(&floor) = floors.get(&module) else {
            problems.push(format!(
                "{}: module {module} is not in the floor table",
                file.display()
            ));
            continue;
        };
        let source = std::fs::read_to_string(file).unwrap();
        for target in crate_paths(&source) {
            if target == module {
                continue;
            }
            match floors.get(&target) {
                None => problems.push(format!(
                    "{}: crate::{target} is not a module of the table (import it by its own path)",
                    file.display()
                )),
                Some(&t) if t > floor => problems.push(format!(
                    "{}: {module} (floor {floor}) uses {target} (floor {t}): an arrow up",
                    file.display()
                )),
                Some(_) => {
                    edges.entry(module.clone()).or_default().insert(target);
                }
            }
        }
    }
    // No cycle among the arrows (same-floor ones included).
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        stack: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        problems: &mut Vec<String>,
    ) {
        if done.contains(node) {
            return;
        }
        if let Some(at) = stack.iter().position(|n| n == node) {
            problems.push(format!("cycle: {} -> {node}", stack[at..].join(" -> ")));
            return;
        }
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            visit(next, edges, stack, done, problems);
        }
        stack.pop();
        done.insert(node.to_owned());
    }
    let mut done = BTreeSet::new();
    for node in floors.keys() {
        visit(node, &edges, &mut Vec::new(), &mut done, &mut problems);
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

#[test]
fn the_checker_sees_groups_and_paths() {
    let paths =
        crate_paths("use crate::{error::Error, ids}; let x = crate::dsig::f(); // crate::team");
    assert_eq!(paths, ["error", "ids", "dsig"]);
}

/// The crate root names at most 25 items besides its modules.
#[test]
fn the_root_is_small() {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    // Top-level `pub use` items only (not those of inline modules), each
    // possibly spanning lines.
    let mut names = Vec::new();
    let mut item = String::new();
    for line in lib.lines() {
        if line.starts_with("pub use ") || !item.is_empty() {
            item.push_str(line.trim());
            item.push(' ');
            if line.trim_end().ends_with(';') {
                let path = item
                    .trim()
                    .trim_start_matches("pub use ")
                    .trim_end_matches(';');
                match path.split_once('{') {
                    Some((_, group)) => names.extend(
                        group
                            .trim_end_matches('}')
                            .split(',')
                            .map(|n| n.trim().to_owned())
                            .filter(|n| !n.is_empty()),
                    ),
                    None => names.push(path.rsplit("::").next().unwrap_or(path).to_owned()),
                }
                item.clear();
            }
        }
    }
    assert!(
        names.len() <= 25,
        "{} names at the crate root: {names:?}",
        names.len()
    );
    assert!(names.len() >= 10, "{names:?}: the counter is broken");
}
