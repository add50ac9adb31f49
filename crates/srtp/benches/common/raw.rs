//! Raw libsrtp2 sessions through `srtp2-sys`, the floor a wrapper is measured against (shared by the criterion
//! bench and the instruction-count example).

use std::ffi::c_int;

use ortc_srtp::{MasterKey, SrtpProfile};
use srtp2_sys as sys;

/// Replay window of every session in the benches.
pub(crate) const WINDOW: u16 = 1024;

/// A libsrtp session driven directly through srtp2-sys, set up the way ortc-srtp sets up its own.
pub(crate) struct Raw(sys::srtp_t);

impl Raw {
    pub(crate) fn new(key: &MasterKey, inbound: bool) -> Self {
        // SAFETY: an all-zero `srtp_policy_t` is valid (integers and null pointers).
        let mut policy: sys::srtp_policy_t = unsafe { std::mem::zeroed() };
        // SAFETY: the setters only write the policy they are given.
        unsafe {
            match key.profile() {
                SrtpProfile::Aes128CmHmacSha1_80 => {
                    sys::srtp_crypto_policy_set_rtp_default(&raw mut policy.rtp);
                    sys::srtp_crypto_policy_set_rtcp_default(&raw mut policy.rtcp);
                }
                SrtpProfile::Aes128CmHmacSha1_32 => {
                    sys::srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&raw mut policy.rtp);
                    sys::srtp_crypto_policy_set_rtcp_default(&raw mut policy.rtcp);
                }
                SrtpProfile::AeadAes128Gcm => {
                    sys::srtp_crypto_policy_set_aes_gcm_128_16_auth(&raw mut policy.rtp);
                    sys::srtp_crypto_policy_set_aes_gcm_128_16_auth(&raw mut policy.rtcp);
                }
                _ => {
                    sys::srtp_crypto_policy_set_aes_gcm_256_16_auth(&raw mut policy.rtp);
                    sys::srtp_crypto_policy_set_aes_gcm_256_16_auth(&raw mut policy.rtcp);
                }
            }
        }
        policy.ssrc.type_ = if inbound {
            sys::srtp_ssrc_type_t_ssrc_any_inbound
        } else {
            sys::srtp_ssrc_type_t_ssrc_any_outbound
        };
        policy.window_size = WINDOW.into();
        policy.allow_repeat_tx = 0;
        let mut key_and_salt = key.key_and_salt().to_vec();
        policy.key = key_and_salt.as_mut_ptr();
        let mut ctx = std::ptr::null_mut();
        // SAFETY: libsrtp was initialised by the ortc-srtp session created before this one; policy and key are
        // valid for the call.
        let status = unsafe { sys::srtp_create(&raw mut ctx, &raw const policy) };
        assert_eq!(status, 0, "srtp_create");
        Self(ctx)
    }

    pub(crate) fn protect(&mut self, buf: &mut [u8], len: usize) -> usize {
        let mut len = c_int::try_from(len).expect("fits");
        // SAFETY: `buf` has room for the trailer after `len`.
        let status = unsafe { sys::srtp_protect(self.0, buf.as_mut_ptr().cast(), &raw mut len) };
        assert_eq!(status, 0, "srtp_protect");
        usize::try_from(len).expect("non-negative")
    }

    pub(crate) fn unprotect(&mut self, buf: &mut [u8]) -> usize {
        let mut len = c_int::try_from(buf.len()).expect("fits");
        // SAFETY: `buf` holds the whole packet.
        let status = unsafe { sys::srtp_unprotect(self.0, buf.as_mut_ptr().cast(), &raw mut len) };
        assert_eq!(status, 0, "srtp_unprotect");
        usize::try_from(len).expect("non-negative")
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: created by `srtp_create`, dropped once.
        unsafe { sys::srtp_dealloc(self.0) };
    }
}
