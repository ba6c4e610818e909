//! Certificate expiry notices, each returned once: which are due at `now`
//! given the ones already sent.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::TeamSlug;
use crate::certs::{CertFingerprint, IdpCertSet, NoticeThreshold};

/// Who a notice concerns. The crate says to whom; the app knows the
/// addresses and sends the email.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NoticeAudience {
    /// The team's admins (they manage the IdP certificates).
    TeamAdmins,
}

impl NoticeAudience {
    /// A stable name: `team_admins`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::TeamAdmins => "team_admins",
        }
    }
}

/// An expiry notice to send now: which team, which certificate, which
/// threshold, and to whom it concerns. Send it, then record it with
/// [`TeamConfig::mark_sent`](super::TeamConfig::mark_sent) and store the
/// configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DueNotice {
    /// The team.
    pub team: TeamSlug,
    /// Who must be told: the team's admins.
    pub concerns: NoticeAudience,
    /// The certificate's SHA-256 fingerprint.
    pub fingerprint: CertFingerprint,
    /// The certificate's subject.
    pub subject: String,
    /// When the certificate expires.
    pub not_after: DateTime<Utc>,
    /// Whole days left (rounded down) at the `now` the notice was computed.
    pub days_left: i64,
    /// The threshold this notice is for.
    pub threshold: NoticeThreshold,
    /// Less urgent thresholds that were never sent and are now moot (time
    /// jumped past them, or the certificate was added late): marking this
    /// notice sent records them as passed; they are never returned.
    pub passed: Vec<NoticeThreshold>,
}

impl DueNotice {
    /// A one-line text for the email's subject or a log.
    ///
    /// ```text
    /// Team acme: the IdP signing certificate CN=… (SHA-256 …) expires on 2027-06-01 00:00 UTC, in 6 days.
    /// ```
    pub fn summary(&self) -> String {
        let days = match self.days_left {
            0 => "in less than a day".to_owned(),
            1 => "in 1 day".to_owned(),
            n => format!("in {n} days"),
        };
        format!(
            "Team {}: the IdP signing certificate {} (SHA-256 {}) expires on {}, {days}. \
             Add the IdP's new certificate before then.",
            self.team,
            self.subject,
            self.fingerprint,
            self.not_after.format("%Y-%m-%d %H:%M UTC"),
        )
    }
}

/// The most urgent threshold already handled (sent, or passed) per
/// certificate of the team's set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct NoticeLog {
    handled: BTreeMap<CertFingerprint, NoticeThreshold>,
}

impl NoticeLog {
    pub(super) fn due(
        &self,
        team: &TeamSlug,
        certs: &IdpCertSet,
        now: DateTime<Utc>,
    ) -> Vec<DueNotice> {
        let mut due: Vec<DueNotice> = certs
            .certificates()
            .iter()
            .filter_map(|cert| {
                let threshold = cert.notice_due(now)?;
                let handled = self.handled.get(&cert.fingerprint()).copied();
                if handled.is_some_and(|h| h >= threshold) {
                    return None;
                }
                let passed = NoticeThreshold::ALL
                    .into_iter()
                    .filter(|t| *t < threshold && handled.is_none_or(|h| *t > h))
                    .collect();
                Some(DueNotice {
                    team: team.clone(),
                    concerns: NoticeAudience::TeamAdmins,
                    fingerprint: cert.fingerprint(),
                    subject: cert.subject().to_owned(),
                    not_after: cert.not_after(),
                    days_left: (cert.not_after() - now).num_days(),
                    threshold,
                    passed,
                })
            })
            .collect();
        due.sort_by_key(|n| (n.not_after, n.fingerprint));
        due
    }

    /// Records `threshold` (and every less urgent one) as handled.
    pub(super) fn record(&mut self, fingerprint: CertFingerprint, threshold: NoticeThreshold) {
        let entry = self.handled.entry(fingerprint).or_insert(threshold);
        if *entry < threshold {
            *entry = threshold;
        }
    }

    /// Forgets every certificate not in `certs`.
    pub(super) fn retain(&mut self, certs: &IdpCertSet) {
        self.handled
            .retain(|fp, _| certs.certificates().iter().any(|c| c.fingerprint() == *fp));
    }

    #[cfg(feature = "serde")]
    pub(super) fn iter(&self) -> impl Iterator<Item = (CertFingerprint, NoticeThreshold)> + '_ {
        self.handled.iter().map(|(fp, t)| (*fp, *t))
    }
}
