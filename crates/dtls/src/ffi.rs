//! The few OpenSSL calls the `openssl` crate does not wrap: the DTLS retransmission timer, and the MTU of an
//! `SSL` already inside an `SslStream`.
//!
//! - `DTLSv1_get_timeout` and `DTLSv1_handle_timeout` are macros over `SSL_ctrl` (commands 73 and 74).
//! - `DTLS_set_timer_cb` (OpenSSL ≥ 1.1.1) replaces the fixed 1 s initial timeout with ours; each further
//!   timeout doubles, up to [`MAX_RETRANSMIT_TIMEOUT`].
//!
//! OpenSSL measures these timeouts on the wall clock (`gettimeofday`), not on the `Instant`s the endpoint is
//! given: `DTLSv1_handle_timeout` retransmits only once OpenSSL's own deadline has passed.
#![allow(unsafe_code)]

use std::ptr;
use std::sync::OnceLock;
use std::time::Duration;

use foreign_types::ForeignTypeRef;
use libc::{c_int, c_long, c_uint};
use openssl::ex_data::Index;
use openssl::ssl::{Ssl, SslRef};
use openssl_sys::SSL;

/// The longest retransmission timeout the back-off doubles up to (RFC 6347 §4.2.4.1: at least 60 s).
pub const MAX_RETRANSMIT_TIMEOUT: Duration = Duration::from_mins(1);

const DTLS_CTRL_GET_TIMEOUT: c_int = 73;
const DTLS_CTRL_HANDLE_TIMEOUT: c_int = 74;

type TimerCallback = unsafe extern "C" fn(*mut SSL, c_uint) -> c_uint;

unsafe extern "C" {
    fn DTLS_set_timer_cb(s: *mut SSL, cb: Option<TimerCallback>);
}

/// What `DTLSv1_handle_timeout` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeoutOutcome {
    /// No timer was running, or OpenSSL's deadline has not passed yet.
    NotExpired,
    /// The last flight was sent again.
    Retransmitted,
    /// Too many retransmissions, or sending failed: the handshake is over.
    Failed,
}

/// The ex-data slot holding an `SSL`'s initial timeout in microseconds.
fn initial_timeout_index() -> Option<Index<Ssl, c_uint>> {
    static INDEX: OnceLock<Option<Index<Ssl, c_uint>>> = OnceLock::new();
    *INDEX.get_or_init(|| Ssl::new_ex_index().ok())
}

/// The next timeout after one of `previous_us` (0: the timer is being started), in microseconds.
fn next_timeout_us(initial_us: c_uint, previous_us: c_uint) -> c_uint {
    let max = MAX_RETRANSMIT_TIMEOUT.as_micros() as c_uint;
    if previous_us == 0 {
        initial_us.min(max)
    } else {
        previous_us.saturating_mul(2).min(max)
    }
}

unsafe extern "C" fn timer_callback(ssl: *mut SSL, previous_us: c_uint) -> c_uint {
    // SAFETY: OpenSSL calls the timer callback with the live `SSL` it was installed on, from inside a call we
    // made on that `SSL` (no other reference to it is in use during the call).
    let ssl = unsafe { SslRef::from_ptr(ssl) };
    let initial = initial_timeout_index()
        .and_then(|index| ssl.ex_data(index).copied())
        .unwrap_or(1_000_000);
    next_timeout_us(initial, previous_us)
}

/// Makes `ssl` start retransmitting after `initial` and double the timeout on every retransmission.
pub(crate) fn install_backoff(ssl: &mut SslRef, initial: Duration) {
    let initial_us = c_uint::try_from(initial.as_micros()).unwrap_or(c_uint::MAX);
    if let Some(index) = initial_timeout_index() {
        ssl.set_ex_data(index, initial_us);
        // SAFETY: `ssl` is a live `SSL`; the callback is a plain function valid for the program's lifetime.
        unsafe { DTLS_set_timer_cb(ssl.as_ptr(), Some(timer_callback)) };
    }
    // Without an ex-data slot OpenSSL keeps its default schedule (1 s, doubling): still correct, only slower.
}

/// Sets the largest datagram OpenSSL may write (`SSL_set_mtu`); `false` if OpenSSL rejected it as too small.
pub(crate) fn set_mtu(ssl: &SslRef, mtu: c_long) -> bool {
    // SAFETY: `ssl` is a live `SSL`; SSL_set_mtu (SSL_CTRL_SET_MTU) takes its value in `larg` and no pointer.
    unsafe { openssl_sys::SSL_set_mtu(ssl.as_ptr(), mtu) > 0 }
}

/// Time left until OpenSSL's retransmission deadline (zero once passed), or `None` when no timer runs.
pub(crate) fn get_timeout(ssl: &SslRef) -> Option<Duration> {
    let mut left = libc::timeval { tv_sec: 0, tv_usec: 0 };
    // SAFETY: `ssl` is a live `SSL`; DTLS_CTRL_GET_TIMEOUT writes one `struct timeval` through `parg`, which
    // points at a local of exactly that type.
    let running = unsafe { openssl_sys::SSL_ctrl(ssl.as_ptr(), DTLS_CTRL_GET_TIMEOUT, 0, (&raw mut left).cast()) };
    (running > 0).then(|| {
        let secs = u64::try_from(left.tv_sec).unwrap_or(0);
        let micros = u64::try_from(left.tv_usec).unwrap_or(0);
        Duration::from_secs(secs) + Duration::from_micros(micros)
    })
}

/// Lets OpenSSL retransmit its last flight if its deadline has passed.
pub(crate) fn handle_timeout(ssl: &SslRef) -> TimeoutOutcome {
    // SAFETY: `ssl` is a live `SSL`; DTLS_CTRL_HANDLE_TIMEOUT takes no arguments.
    let result: c_long = unsafe { openssl_sys::SSL_ctrl(ssl.as_ptr(), DTLS_CTRL_HANDLE_TIMEOUT, 0, ptr::null_mut()) };
    match result {
        0 => TimeoutOutcome::NotExpired,
        1.. => TimeoutOutcome::Retransmitted,
        _ => TimeoutOutcome::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        assert_eq!(next_timeout_us(50_000, 0), 50_000);
        assert_eq!(next_timeout_us(50_000, 50_000), 100_000);
        assert_eq!(next_timeout_us(50_000, 40_000_000), 60_000_000);
        assert_eq!(next_timeout_us(90_000_000, 0), 60_000_000);
        assert_eq!(next_timeout_us(1, c_uint::MAX), 60_000_000);
    }
}
