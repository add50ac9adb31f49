//! The only module that talks to libsrtp2: process-wide initialisation and an owned `srtp_t`.

use std::ffi::{c_int, c_void};
use std::ptr::NonNull;
use std::sync::OnceLock;

use srtp2_sys as sys;

use crate::{MasterKey, SrtpError, SrtpProfile};

/// `srtp_init` status, run once per process (libsrtp's crypto kernel is global and must not be set up twice).
fn init() -> Result<(), SrtpError> {
    static STATUS: OnceLock<sys::srtp_err_status_t> = OnceLock::new();
    // SAFETY: `srtp_init` takes no arguments; `OnceLock` runs it exactly once, before any other libsrtp call,
    // and every session is created after `init` returned.
    let status = *STATUS.get_or_init(|| unsafe { sys::srtp_init() });
    if status == sys::srtp_err_status_t_srtp_err_status_ok {
        Ok(())
    } else {
        Err(SrtpError::Init(status))
    }
}

/// Which way a libsrtp session works; decides the wildcard SSRC it is created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `ssrc_any_outbound`: protects packets of any SSRC.
    Outbound,
    /// `ssrc_any_inbound`: unprotects packets of any SSRC.
    Inbound,
}

/// An owned libsrtp session (`srtp_t`) holding one wildcard stream template.
///
/// Every method takes `&mut self`: libsrtp keeps no locks, so one session must never be used from two threads
/// at once; exclusive borrows make that a compile-time guarantee.
#[derive(Debug)]
pub(crate) struct RawSession {
    ctx: NonNull<sys::srtp_ctx_t>,
}

// SAFETY: a libsrtp session has no thread affinity: it is plain heap memory plus OpenSSL cipher contexts, owned
// by this value alone. The crypto kernel it refers to is global but read-only after `srtp_init`. Moving the
// session to another thread is therefore fine; sharing it is not, and `RawSession` is not `Sync`.
unsafe impl Send for RawSession {}

impl RawSession {
    /// Creates a session for `key`'s profile, matching any SSRC in `direction`.
    pub(crate) fn new(
        key: &MasterKey,
        direction: Direction,
        replay_window: u16,
        allow_repeat_tx: bool,
    ) -> Result<Self, SrtpError> {
        init()?;
        // SAFETY: `srtp_policy_t` is a C struct of integers and raw pointers, for which all-zero bytes are a
        // valid value (null pointers, no MKIs, no EKT, no encrypted header extensions).
        let mut policy: sys::srtp_policy_t = unsafe { std::mem::zeroed() };
        set_crypto_policies(&mut policy, key.profile());
        policy.ssrc.type_ = match direction {
            Direction::Outbound => sys::srtp_ssrc_type_t_ssrc_any_outbound,
            Direction::Inbound => sys::srtp_ssrc_type_t_ssrc_any_inbound,
        };
        policy.window_size = replay_window.into();
        policy.allow_repeat_tx = c_int::from(allow_repeat_tx);
        // libsrtp takes a mutable pointer but only reads the key while deriving session keys in `srtp_create`.
        let mut key_copy = [0u8; crate::MAX_MASTER_KEY_AND_SALT_LEN];
        let key_and_salt = key.key_and_salt();
        key_copy[..key_and_salt.len()].copy_from_slice(key_and_salt);
        policy.key = key_copy.as_mut_ptr();

        let mut ctx: sys::srtp_t = std::ptr::null_mut();
        // SAFETY: `policy` is fully initialised for this profile, `policy.key` points at `key_copy`, which holds
        // the profile's key+salt length and outlives the call; libsrtp copies what it needs. `ctx` is a valid
        // out-pointer.
        let status = unsafe { sys::srtp_create(&raw mut ctx, &raw const policy) };
        key_copy.fill(0);
        std::hint::black_box(&mut key_copy);
        check(status, "srtp_create")?;
        let ctx = NonNull::new(ctx).ok_or(SrtpError::Library {
            operation: "srtp_create",
            status,
        })?;
        Ok(Self { ctx })
    }

    /// `srtp_protect`: `buf[..len]` is an RTP packet whose header was validated, `buf` has room for the
    /// trailer, and `buf.len()` fits a C `int`. Returns the protected length.
    pub(crate) fn protect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        // SAFETY: see `call`; libsrtp writes at most the profile's RTP trailer (tag, no MKI) past `len`.
        self.call(buf, len, "srtp_protect", |ctx, p, l| unsafe {
            sys::srtp_protect(ctx, p, l)
        })
    }

    /// `srtp_unprotect` of `buf[..len]`; returns the plaintext length.
    pub(crate) fn unprotect_rtp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        // SAFETY: see `call`; unprotecting only shrinks the packet.
        self.call(buf, len, "srtp_unprotect", |ctx, p, l| unsafe {
            sys::srtp_unprotect(ctx, p, l)
        })
    }

    /// `srtp_protect_rtcp`; same contract as [`Self::protect_rtp`] with the RTCP trailer.
    pub(crate) fn protect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        // SAFETY: see `call`; libsrtp writes at most the SRTCP trailer (index word and tag) past `len`.
        self.call(buf, len, "srtp_protect_rtcp", |ctx, p, l| unsafe {
            sys::srtp_protect_rtcp(ctx, p, l)
        })
    }

    /// `srtp_unprotect_rtcp` of `buf[..len]`; returns the plaintext length.
    pub(crate) fn unprotect_rtcp(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        // SAFETY: see `call`; unprotecting only shrinks the packet.
        self.call(buf, len, "srtp_unprotect_rtcp", |ctx, p, l| unsafe {
            sys::srtp_unprotect_rtcp(ctx, p, l)
        })
    }

    /// Runs one libsrtp packet call on `buf[..len]`.
    ///
    /// Callers guarantee `len <= buf.len() <= i32::MAX`, that the header was validated, and, when protecting,
    /// that `buf.len() - len` covers the trailer; `op` may then read `len` bytes and write up to `buf.len()`.
    fn call(
        &mut self,
        buf: &mut [u8],
        len: usize,
        operation: &'static str,
        op: impl FnOnce(sys::srtp_t, *mut c_void, *mut c_int) -> sys::srtp_err_status_t,
    ) -> Result<usize, SrtpError> {
        debug_assert!(len <= buf.len() && i32::try_from(buf.len()).is_ok());
        let mut c_len = c_int::try_from(len).map_err(|_| SrtpError::LengthOutOfRange {
            len,
            max: MAX_PACKET_LEN,
        })?;
        let status = op(self.ctx.as_ptr(), buf.as_mut_ptr().cast(), &raw mut c_len);
        check(status, operation)?;
        // invariant: libsrtp reports a length within what it was allowed to touch.
        let out = usize::try_from(c_len).unwrap_or(0);
        debug_assert!(
            out <= buf.len(),
            "{operation} returned length {out} beyond the {} byte buffer",
            buf.len()
        );
        Ok(out.min(buf.len()))
    }
}

impl Drop for RawSession {
    fn drop(&mut self) {
        // SAFETY: `ctx` came from a successful `srtp_create`, is owned by this value alone, and is not used again.
        let status = unsafe { sys::srtp_dealloc(self.ctx.as_ptr()) };
        debug_assert_eq!(status, sys::srtp_err_status_t_srtp_err_status_ok, "srtp_dealloc failed");
    }
}

/// The largest packet (plus trailer) handed to libsrtp, whose lengths are C `int`s.
pub(crate) const MAX_PACKET_LEN: usize = i32::MAX as usize;

fn set_crypto_policies(policy: &mut sys::srtp_policy_t, profile: SrtpProfile) {
    type Setter = unsafe extern "C" fn(*mut sys::srtp_crypto_policy_t);
    let (rtp, rtcp): (Setter, Setter) = match profile {
        // libsrtp's "default" policies are AES_CM_128_HMAC_SHA1_80 (its `..._hmac_sha1_80` names are macros).
        SrtpProfile::Aes128CmHmacSha1_80 => (
            sys::srtp_crypto_policy_set_rtp_default,
            sys::srtp_crypto_policy_set_rtcp_default,
        ),
        // RFC 5764 §4.1.2: the 32-bit tag applies to SRTP only; SRTCP keeps 80 bits.
        SrtpProfile::Aes128CmHmacSha1_32 => (
            sys::srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32,
            sys::srtp_crypto_policy_set_rtcp_default,
        ),
        SrtpProfile::AeadAes128Gcm => (
            sys::srtp_crypto_policy_set_aes_gcm_128_16_auth,
            sys::srtp_crypto_policy_set_aes_gcm_128_16_auth,
        ),
        SrtpProfile::AeadAes256Gcm => (
            sys::srtp_crypto_policy_set_aes_gcm_256_16_auth,
            sys::srtp_crypto_policy_set_aes_gcm_256_16_auth,
        ),
    };
    // SAFETY: the setters only write the fields of the `srtp_crypto_policy_t` they are given.
    unsafe {
        rtp(&raw mut policy.rtp);
        rtcp(&raw mut policy.rtcp);
    }
}

/// Maps a libsrtp status to our error.
fn check(status: sys::srtp_err_status_t, operation: &'static str) -> Result<(), SrtpError> {
    #[allow(clippy::wildcard_imports)]
    use sys::*;
    #[allow(non_upper_case_globals)]
    match status {
        srtp_err_status_t_srtp_err_status_ok => Ok(()),
        srtp_err_status_t_srtp_err_status_auth_fail => Err(SrtpError::AuthenticationFailed),
        srtp_err_status_t_srtp_err_status_replay_fail => Err(SrtpError::ReplayDuplicate),
        srtp_err_status_t_srtp_err_status_replay_old => Err(SrtpError::ReplayTooOld),
        // Only `srtp_unprotect_rtcp` returns this: the E bit does not match the (always encrypting) policy.
        srtp_err_status_t_srtp_err_status_cant_check => Err(SrtpError::UnencryptedSrtcp),
        srtp_err_status_t_srtp_err_status_key_expired => Err(SrtpError::KeyExpired),
        srtp_err_status_t_srtp_err_status_cipher_fail => Err(SrtpError::CipherFailed),
        srtp_err_status_t_srtp_err_status_bad_param => Err(SrtpError::BadParameter("rejected by libsrtp")),
        _ => Err(SrtpError::Library { operation, status }),
    }
}
