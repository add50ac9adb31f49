//! The few OpenSSL calls the `openssl` crate does not wrap: the DTLS retransmission timer, the alerts, and the MTU (and the
//! application data that fits it) of an `SSL` already inside an `SslStream`.
//!
//! - `DTLSv1_get_timeout` and `DTLSv1_handle_timeout` are macros over `SSL_ctrl` (commands 73 and 74).
//! - `DTLS_set_timer_cb` (OpenSSL ≥ 1.1.1) lets us choose every timeout OpenSSL arms.
//! - `SSL_set_info_callback` reports the alerts OpenSSL sends and receives, which its errors do not all name.
//!
//! # Retransmission without OpenSSL's clock
//!
//! OpenSSL measures its timer on the wall clock (`gettimeofday`), and checks it not only in
//! `DTLSv1_handle_timeout` but at the start of every handshake read: a read that finds the timer expired
//! retransmits, re-arms, and checks again (`dtls1_read_bytes` loops while the timer is expired). The endpoint
//! keeps its own back-off on the caller's `Instant`s instead, so OpenSSL's clock must never decide anything:
//!
//! - When OpenSSL starts a timer for a new flight (the callback sees a previous timeout of 0) we arm it for
//!   [`EXPIRED_US`], so it counts as expired at once, and record that a new flight began.
//! - The handshake read that follows every flight therefore finds the timer expired and retransmits. Those
//!   early copies are not sent: the [`FlightTimer`] holds each one (a fresh copy, with new record sequence
//!   numbers) for one of the endpoint's later deadlines. The read keeps retransmitting while we re-arm with
//!   [`EXPIRED_US`], so one read produces every copy OpenSSL will ever make of this flight (it gives up after
//!   [`OPENSSL_MAX_TIMEOUTS`]); the last is armed for [`PARKED_US`], which ends the loop.
//! - At each of the endpoint's deadlines one held copy goes on the wire; when none is left the handshake has
//!   timed out, as OpenSSL itself would have decided.
//!
//! OpenSSL's wall clock never matters: every timer it arms is either already expired or an hour away.
//!
//! Why not arm a long timeout and expire it only at our deadline: OpenSSL fixes a timer's length when it arms
//! it (at each flight, and after each retransmission), so a timer armed long cannot be made to expire later
//! without waiting on the wall clock. The price of arming it expired is memory: up to
//! [`OPENSSL_MAX_TIMEOUTS`] copies of the current flight (a few kB each), dropped once the flight is answered.
#![allow(unsafe_code)]

use std::collections::VecDeque;
use std::ptr;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::Duration;

use bytes::Bytes;

use foreign_types::ForeignTypeRef;
use libc::{c_int, c_long, c_uint};
use openssl::error::ErrorStack;
use openssl::ex_data::Index;
use openssl::ssl::{Ssl, SslRef};
use openssl::x509::{X509StoreContextRef, X509VerifyResult};
use openssl_sys::SSL;

use crate::{Alert, AlertDescription};

/// The longest retransmission timeout the back-off doubles up to (RFC 6347 §4.2.4.1: at least 60 s).
pub const MAX_RETRANSMIT_TIMEOUT: Duration = Duration::from_mins(1);

const DTLS_CTRL_GET_TIMEOUT: c_int = 73;
const DTLS_CTRL_HANDLE_TIMEOUT: c_int = 74;

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

/// A timeout OpenSSL counts as expired as soon as it is armed (it treats anything under 15 ms as expired).
pub(crate) const EXPIRED_US: c_uint = 1;

/// A timeout that parks OpenSSL's timer: an hour, far beyond any handshake's life.
pub(crate) const PARKED_US: c_uint = 3_600_000_000;

/// How many timeouts OpenSSL allows one flight (`DTLS1_TMO_ALERT_COUNT`); the next one fails the handshake.
pub(crate) const OPENSSL_MAX_TIMEOUTS: u32 = 12;

/// How many times one flight is sent again before the handshake fails with
/// [`DtlsError::HandshakeTimeout`](crate::DtlsError::HandshakeTimeout) (OpenSSL's limit).
pub const MAX_RETRANSMISSIONS: u32 = OPENSSL_MAX_TIMEOUTS;

/// What the timer callback and the endpoint's BIO share about the flight in progress.
#[derive(Debug, Default)]
pub(crate) struct FlightTimer {
    /// OpenSSL started a timer for a new flight since the endpoint last looked.
    pub(crate) new_flight: bool,
    /// Timeouts OpenSSL has counted for the current flight.
    timeouts: u32,
    /// Retransmissions OpenSSL made early, each a list of datagrams, kept for the endpoint's deadlines.
    held: VecDeque<Vec<Bytes>>,
    /// Datagrams written now belong to the last of `held` (OpenSSL is retransmitting inside a read).
    holding: bool,
}

impl FlightTimer {
    /// Where a datagram OpenSSL writes goes: into a held retransmission, or `None` for the wire.
    pub(crate) fn hold(&mut self, datagram: Bytes) -> Option<Bytes> {
        match self.held.back_mut() {
            Some(flight) if self.holding => {
                flight.push(datagram);
                None
            }
            _ => Some(datagram),
        }
    }

    /// OpenSSL is about to read: whatever it writes next is no early retransmission.
    pub(crate) fn stop_holding(&mut self) {
        self.holding = false;
    }

    /// The next held retransmission of the current flight, if OpenSSL made one.
    pub(crate) fn take_retransmission(&mut self) -> Option<Vec<Bytes>> {
        self.held.pop_front()
    }

    /// Drops the held retransmissions (no flight awaits an answer any more).
    pub(crate) fn forget_retransmissions(&mut self) {
        self.held = VecDeque::new();
    }

    /// OpenSSL asks for the timeout to arm after one of `previous_us` (0: a new flight starts).
    fn next_timeout_us(&mut self, previous_us: c_uint) -> c_uint {
        if previous_us == 0 {
            self.new_flight = true;
            self.timeouts = 0;
            self.held.clear();
            self.holding = false;
            return EXPIRED_US;
        }
        // OpenSSL found its timer expired and will retransmit once this returns: hold that copy.
        self.timeouts += 1;
        self.held.push_back(Vec::new());
        self.holding = true;
        if self.timeouts >= OPENSSL_MAX_TIMEOUTS {
            PARKED_US
        } else {
            EXPIRED_US
        }
    }
}

/// The timer state shared by the callback (through ex-data) and the endpoint's BIO.
pub(crate) type SharedFlightTimer = Arc<Mutex<FlightTimer>>;

/// Locks `shared`; the state stays consistent even if a holder panicked (every update is one assignment).
pub(crate) fn lock<T>(shared: &Mutex<T>) -> MutexGuard<'_, T> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

type TimerCallback = unsafe extern "C" fn(*mut SSL, c_uint) -> c_uint;

unsafe extern "C" {
    fn DTLS_set_timer_cb(s: *mut SSL, cb: Option<TimerCallback>);
}

/// The ex-data slot holding an `SSL`'s [`FlightTimer`].
fn flight_timer_index() -> Result<Index<Ssl, SharedFlightTimer>, ErrorStack> {
    static INDEX: OnceLock<Result<Index<Ssl, SharedFlightTimer>, ErrorStack>> = OnceLock::new();
    INDEX.get_or_init(Ssl::new_ex_index).clone()
}

unsafe extern "C" fn timer_callback(ssl: *mut SSL, previous_us: c_uint) -> c_uint {
    // SAFETY: OpenSSL calls the timer callback with the live `SSL` it was installed on, from inside a call we
    // made on that `SSL` (no other reference to it is in use during the call).
    let ssl = unsafe { SslRef::from_ptr(ssl) };
    match flight_timer_index().ok().and_then(|index| ssl.ex_data(index)) {
        Some(timer) => lock(timer).next_timeout_us(previous_us),
        // invariant: the callback is installed only together with the ex-data; never reached.
        None => PARKED_US,
    }
}

/// Hands OpenSSL's retransmission timer over to `timer`; fails if no ex-data slot could be made.
pub(crate) fn install_flight_timer(ssl: &mut SslRef, timer: SharedFlightTimer) -> Result<(), ErrorStack> {
    ssl.set_ex_data(flight_timer_index()?, timer);
    // SAFETY: `ssl` is a live `SSL`; the callback is a plain function valid for the program's lifetime.
    unsafe { DTLS_set_timer_cb(ssl.as_ptr(), Some(timer_callback)) };
    Ok(())
}

/// The alerts of one drive of OpenSSL, as its info callback reports them (`close_notify` left out: closing is
/// no failure).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct AlertLog {
    /// The first alert OpenSSL sent.
    pub(crate) sent: Option<Alert>,
    /// The first fatal alert received, or else the first warning.
    pub(crate) received: Option<Alert>,
}

impl AlertLog {
    fn record(&mut self, read: bool, alert: Alert) {
        if alert.description == AlertDescription::CloseNotify {
            return;
        }
        let slot = if read { &mut self.received } else { &mut self.sent };
        if slot.is_none_or(|first| !first.is_fatal() && alert.is_fatal()) {
            *slot = Some(alert);
        }
    }
}

/// The alert log shared by the info callback (through ex-data) and the endpoint.
pub(crate) type SharedAlertLog = Arc<Mutex<AlertLog>>;

/// `SSL_CB_ALERT`, `SSL_CB_READ` (of `ssl.h`): the info callback's `where` bits for an alert, and for one read.
const SSL_CB_ALERT: c_int = 0x4000;
const SSL_CB_READ: c_int = 0x04;

type InfoCallback = unsafe extern "C" fn(*const SSL, c_int, c_int);

unsafe extern "C" {
    fn SSL_set_info_callback(s: *mut SSL, cb: Option<InfoCallback>);
}

/// The ex-data slot holding an `SSL`'s [`AlertLog`].
fn alert_log_index() -> Result<Index<Ssl, SharedAlertLog>, ErrorStack> {
    static INDEX: OnceLock<Result<Index<Ssl, SharedAlertLog>, ErrorStack>> = OnceLock::new();
    INDEX.get_or_init(Ssl::new_ex_index).clone()
}

unsafe extern "C" fn info_callback(ssl: *const SSL, where_: c_int, value: c_int) {
    if where_ & SSL_CB_ALERT == 0 {
        return;
    }
    // SAFETY: OpenSSL calls the info callback with the live `SSL` it was installed on, from inside a call we
    // made on that `SSL`; the callback only reads its ex-data.
    let ssl = unsafe { SslRef::from_ptr(ssl.cast_mut()) };
    if let Some(log) = alert_log_index().ok().and_then(|index| ssl.ex_data(index)) {
        // For an alert, OpenSSL passes (level << 8) | description.
        let [.., level, description] = value.to_be_bytes();
        lock(log).record(where_ & SSL_CB_READ != 0, Alert::from_wire(level, description));
    }
}

/// Records every alert OpenSSL sends or receives on `ssl` in `log`; fails if no ex-data slot could be made.
pub(crate) fn install_alert_log(ssl: &mut SslRef, log: SharedAlertLog) -> Result<(), ErrorStack> {
    ssl.set_ex_data(alert_log_index()?, log);
    // SAFETY: `ssl` is a live `SSL`; the callback is a plain function valid for the program's lifetime.
    unsafe { SSL_set_info_callback(ssl.as_ptr(), Some(info_callback)) };
    Ok(())
}

unsafe extern "C" {
    fn DTLS_get_data_mtu(s: *const SSL) -> libc::size_t;
}

/// The most application data one record can carry within the MTU given to OpenSSL, for the negotiated cipher
/// (`DTLS_get_data_mtu`, OpenSSL ≥ 1.1.1); 0 before a cipher is negotiated.
pub(crate) fn data_mtu(ssl: &SslRef) -> usize {
    // SAFETY: `ssl` is a live `SSL`; DTLS_get_data_mtu only reads it.
    unsafe { DTLS_get_data_mtu(ssl.as_ptr()) }
}

/// Marks the certificate being verified as rejected, so that OpenSSL fails the handshake with a fatal
/// `bad_certificate` alert (its mapping of `X509_V_ERR_CERT_REJECTED`).
pub(crate) fn reject_certificate(ctx: &mut X509StoreContextRef) {
    // SAFETY: X509_V_ERR_CERT_REJECTED is a verification result OpenSSL defines.
    ctx.set_error(unsafe { X509VerifyResult::from_raw(openssl_sys::X509_V_ERR_CERT_REJECTED) });
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
    fn the_alert_log_keeps_the_first_fatal_alert_each_way_and_no_close_notify() {
        let mut log = AlertLog::default();
        log.record(true, Alert::from_wire(1, 0));
        assert!(log.received.is_none(), "close_notify");
        log.record(true, Alert::from_wire(1, 90));
        assert_eq!(log.received, Some(Alert::from_wire(1, 90)));
        log.record(true, Alert::from_wire(2, 40));
        log.record(true, Alert::from_wire(2, 42));
        log.record(true, Alert::from_wire(1, 100));
        assert_eq!(log.received, Some(Alert::from_wire(2, 40)));
        log.record(false, Alert::from_wire(2, 50));
        log.record(false, Alert::from_wire(2, 80));
        assert_eq!(log.sent, Some(Alert::from_wire(2, 50)));
    }

    #[test]
    fn early_retransmissions_are_held_until_openssl_would_give_up() {
        let mut t = FlightTimer::default();
        assert_eq!(t.next_timeout_us(0), EXPIRED_US);
        assert!(t.new_flight);
        assert_eq!(
            t.hold(Bytes::from_static(b"flight")),
            Some(Bytes::from_static(b"flight"))
        );
        for n in 1..OPENSSL_MAX_TIMEOUTS {
            assert_eq!(t.next_timeout_us(1), EXPIRED_US, "timeout {n}");
            assert_eq!(t.hold(Bytes::from_static(b"copy")), None);
        }
        assert_eq!(t.next_timeout_us(1), PARKED_US);
        t.stop_holding();
        assert!(t.hold(Bytes::from_static(b"next")).is_some());
        let mut copies = 0;
        while let Some(flight) = t.take_retransmission() {
            copies += 1;
            assert!(flight.len() <= 1);
        }
        assert_eq!(copies, OPENSSL_MAX_TIMEOUTS);
        // A new flight forgets the old one's copies.
        t.next_timeout_us(1);
        t.next_timeout_us(0);
        assert!(t.take_retransmission().is_none());
    }
}
