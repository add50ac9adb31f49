//! The list of missing sequence numbers and when each is (re-)requested or given up.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// One missing sequence number.
#[derive(Debug, Clone, Copy)]
struct Missing {
    seq: i64,
    /// When to act next: send a NACK, or give up once the retries are spent.
    due: Instant,
    /// NACKs sent so far.
    sent: u8,
}

/// What the list did for one sequence number when it fell due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Due {
    /// Request it now.
    Nack(i64),
    /// Retries spent (or NACK disabled): it is lost.
    GiveUp(i64),
}

/// Missing sequence numbers, kept sorted (gaps are appended in increasing order).
#[derive(Debug, Clone, Default)]
pub(crate) struct NackList {
    // invariant: sorted by `seq`, no duplicates
    entries: VecDeque<Missing>,
}

impl NackList {
    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    /// Adds `from..to` (all newer than anything listed), first due at `due`.
    pub(crate) fn push_range(&mut self, from: i64, to: i64, due: Instant) {
        debug_assert!(self.entries.back().is_none_or(|m| m.seq < from));
        self.entries.extend((from..to).map(|seq| Missing { seq, due, sent: 0 }));
    }

    /// Adds `from..to` (all older than anything listed), first due at `due`.
    pub(crate) fn push_front_range(&mut self, from: i64, to: i64, due: Instant) {
        debug_assert!(self.entries.front().is_none_or(|m| m.seq >= to));
        for seq in (from..to).rev() {
            self.entries.push_front(Missing { seq, due, sent: 0 });
        }
    }

    /// Removes `seq`; returns how many NACKs it had been sent, if it was listed.
    pub(crate) fn remove(&mut self, seq: i64) -> Option<u8> {
        let i = self.entries.binary_search_by_key(&seq, |m| m.seq).ok()?;
        self.entries.remove(i).map(|m| m.sent)
    }

    /// Forgets everything older than `seq`.
    pub(crate) fn drop_before(&mut self, seq: i64) {
        while self.entries.front().is_some_and(|m| m.seq < seq) {
            self.entries.pop_front();
        }
    }

    /// The earliest time an entry falls due, and whether it will then be given up rather than requested.
    pub(crate) fn next_due(&self, nack: bool, max_retries: u8) -> Option<(Instant, bool)> {
        self.entries
            .iter()
            .min_by_key(|m| m.due)
            .map(|m| (m.due, !nack || m.sent >= max_retries))
    }

    /// Runs every entry due at `now`: requested ones are rescheduled `retry` later, spent ones removed.
    pub(crate) fn poll(
        &mut self,
        now: Instant,
        nack: bool,
        max_retries: u8,
        retry: Duration,
        mut on_due: impl FnMut(Due),
    ) {
        self.entries.retain_mut(|m| {
            if m.due > now {
                return true;
            }
            if nack && m.sent < max_retries {
                m.sent += 1;
                m.due = now + retry;
                on_due(Due::Nack(m.seq));
                true
            } else {
                on_due(Due::GiveUp(m.seq));
                false
            }
        });
    }
}
