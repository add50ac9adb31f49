//! Sessions: [`OutboundSession`] protects, [`InboundSession`] unprotects, [`SrtpSession`] holds one of each.

use bytes::BytesMut;
use ortc_rtp_packet::{FIXED_HEADER_LEN, RTP_VERSION};

use crate::ffi::{Direction, MAX_PACKET_LEN, RawSession};
use crate::{MasterKey, SessionKeys, SrtpError, SrtpProfile, SrtpStats};

/// Smallest replay window we accept (RFC 3711 §3.3.2 asks for at least 64; WebRTC reorders more).
pub const MIN_REPLAY_WINDOW: u16 = 128;
/// Largest replay window libsrtp accepts.
pub const MAX_REPLAY_WINDOW: u16 = 0x7FFF;
/// Default replay window: 1024 packets, as libwebrtc uses, so video with retransmissions is not dropped.
pub const DEFAULT_REPLAY_WINDOW: u16 = 1024;

/// RTCP fixed header plus sender SSRC: what SRTCP leaves in the clear before the encrypted part.
const RTCP_HEADER_LEN: usize = 8;

/// Session options.
///
/// ```
/// let config = ortc_srtp::SrtpConfig::default().with_replay_window(4096);
/// assert_eq!(config.replay_window(), 4096);
/// assert!(!config.allow_repeat_tx(), "a sequence number is protected once");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SrtpConfig {
    replay_window: u16,
    allow_repeat_tx: bool,
}

impl Default for SrtpConfig {
    fn default() -> Self {
        Self {
            replay_window: DEFAULT_REPLAY_WINDOW,
            allow_repeat_tx: false,
        }
    }
}

impl SrtpConfig {
    /// Sets the SRTP replay window in packets, [`MIN_REPLAY_WINDOW`]`..=`[`MAX_REPLAY_WINDOW`] (libsrtp rounds
    /// it up to a multiple of 32). SRTCP always uses libsrtp's fixed 128-packet window.
    #[must_use]
    pub fn with_replay_window(mut self, packets: u16) -> Self {
        self.replay_window = packets;
        self
    }

    /// Whether the outbound side may protect the same RTP sequence number twice (default `false`).
    ///
    /// libsrtp runs a replay check on the *sending* side too: with this off (the default), protecting an SSRC and
    /// sequence number already used is [`SrtpError::ReplayDuplicate`], whatever the bytes. That is what keeps a
    /// sender from reusing the keystream (AES-CM) or, worse, the nonce (AEAD-AES-GCM, which then lets an attacker
    /// forge packets): a retransmission whose header changed (a fresh transport-wide sequence number, say) would
    /// be different plaintext under the same (SSRC, ROC, SEQ).
    ///
    /// A retransmission on the media SSRC (NACK without RTX) should resend the protected bytes it kept, not
    /// protect again; RTX packets carry sequence numbers of their own. Turn this on only for a sender that
    /// re-protects byte-identical packets and cannot keep the protected copies.
    #[must_use]
    pub fn with_allow_repeat_tx(mut self, allow: bool) -> Self {
        self.allow_repeat_tx = allow;
        self
    }

    /// The SRTP replay window in packets.
    pub fn replay_window(&self) -> u16 {
        self.replay_window
    }

    /// Whether re-protecting a sequence number is allowed.
    pub fn allow_repeat_tx(&self) -> bool {
        self.allow_repeat_tx
    }

    fn validate(self) -> Result<(), SrtpError> {
        if (MIN_REPLAY_WINDOW..=MAX_REPLAY_WINDOW).contains(&self.replay_window) {
            Ok(())
        } else {
            Err(SrtpError::BadParameter("replay window must be 128..=32767 packets"))
        }
    }
}

/// Protects outgoing RTP and RTCP of any SSRC with our master key.
///
/// Each new SSRC gets its own rollover counter and SRTCP index inside libsrtp (allocated once, on its first
/// packet). All methods take `&mut self`: a libsrtp session is not thread-safe. The type is `Send`, so it can
/// live on a different thread from the [`InboundSession`] it was split from.
#[derive(Debug)]
pub struct OutboundSession {
    raw: RawSession,
    profile: SrtpProfile,
    stats: SrtpStats,
}

impl OutboundSession {
    /// A session protecting with `key`.
    pub fn new(key: &MasterKey, config: &SrtpConfig) -> Result<Self, SrtpError> {
        config.validate()?;
        let raw = RawSession::new(key, Direction::Outbound, config.replay_window, config.allow_repeat_tx)?;
        Ok(Self {
            raw,
            profile: key.profile(),
            stats: SrtpStats::default(),
        })
    }

    /// The profile in use.
    pub fn profile(&self) -> SrtpProfile {
        self.profile
    }

    /// Counters so far (only `protected` and `errors` move).
    pub fn stats(&self) -> &SrtpStats {
        &self.stats
    }

    /// Protects the RTP packet in `packet` in place, appending the tag.
    ///
    /// Allocates only if `packet` lacks [`SrtpProfile::rtp_trailer_len`] bytes of spare capacity.
    pub fn protect_rtp(&mut self, packet: &mut BytesMut) -> Result<(), SrtpError> {
        grow_and_run(packet, self.profile.rtp_trailer_len(), |buf, len| {
            self.protect_rtp_slice(buf, len)
        })
    }

    /// Protects the RTP packet in `buf[..len]` in place and returns its new length.
    ///
    /// `buf` must have [`SrtpProfile::rtp_trailer_len`] bytes after `len` for the tag.
    pub fn protect_rtp_slice(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let trailer = self.profile.rtp_trailer_len();
        let result = check_protect_room(buf, len, trailer)
            .and_then(|buf| rtp_header_len(&buf[..len]).map(|_| buf))
            .and_then(|buf| self.raw.protect_rtp(buf, len));
        count(&mut self.stats, result, |s| {
            s.protected.rtp_packets += 1;
            s.protected.rtp_bytes += len as u64;
        })
    }

    /// Protects the RTCP (compound) packet in `packet` in place, appending the SRTCP index and tag.
    ///
    /// Allocates only if `packet` lacks [`SrtpProfile::rtcp_trailer_len`] bytes of spare capacity.
    pub fn protect_rtcp(&mut self, packet: &mut BytesMut) -> Result<(), SrtpError> {
        grow_and_run(packet, self.profile.rtcp_trailer_len(), |buf, len| {
            self.protect_rtcp_slice(buf, len)
        })
    }

    /// Protects the RTCP packet in `buf[..len]` in place and returns its new length.
    ///
    /// `buf` must have [`SrtpProfile::rtcp_trailer_len`] bytes after `len`.
    pub fn protect_rtcp_slice(&mut self, buf: &mut [u8], len: usize) -> Result<usize, SrtpError> {
        let trailer = self.profile.rtcp_trailer_len();
        let result = check_protect_room(buf, len, trailer)
            .and_then(|buf| rtcp_header_check(&buf[..len], RTCP_HEADER_LEN).map(|()| buf))
            .and_then(|buf| self.raw.protect_rtcp(buf, len));
        count(&mut self.stats, result, |s| {
            s.protected.rtcp_packets += 1;
            s.protected.rtcp_bytes += len as u64;
        })
    }
}

/// Unprotects incoming SRTP and SRTCP of any SSRC with the peer's master key.
///
/// Checks authentication and replay (SRTP: the configured window; SRTCP: 128 packets), tracks each SSRC's
/// rollover counter across sequence-number wrap. A stream's state is allocated once, on its first
/// *authenticated* packet, so forged packets with random SSRCs cost no memory. `&mut self` throughout, `Send`.
#[derive(Debug)]
pub struct InboundSession {
    raw: RawSession,
    profile: SrtpProfile,
    stats: SrtpStats,
}

impl InboundSession {
    /// A session unprotecting with `key` (the peer's).
    pub fn new(key: &MasterKey, config: &SrtpConfig) -> Result<Self, SrtpError> {
        config.validate()?;
        let raw = RawSession::new(key, Direction::Inbound, config.replay_window, config.allow_repeat_tx)?;
        Ok(Self {
            raw,
            profile: key.profile(),
            stats: SrtpStats::default(),
        })
    }

    /// The profile in use.
    pub fn profile(&self) -> SrtpProfile {
        self.profile
    }

    /// Counters so far (only `unprotected` and `errors` move).
    pub fn stats(&self) -> &SrtpStats {
        &self.stats
    }

    /// Authenticates and decrypts the SRTP packet in `packet` in place, removing the tag. Never allocates.
    ///
    /// On error the payload may have been decrypted in place before the check failed (libsrtp's GCM path
    /// decrypts, then verifies the tag), so everything after the header is zeroed: unauthenticated
    /// plaintext never stays in the buffer.
    pub fn unprotect_rtp(&mut self, packet: &mut BytesMut) -> Result<(), SrtpError> {
        let len = self.unprotect_rtp_slice(packet)?;
        packet.truncate(len);
        Ok(())
    }

    /// Unprotects the SRTP packet that is all of `packet`; returns the plaintext length.
    pub fn unprotect_rtp_slice(&mut self, packet: &mut [u8]) -> Result<usize, SrtpError> {
        let got = packet.len();
        let tag = self.profile.rtp_trailer_len();
        let result = check_len(got).and_then(|()| rtp_header_len(packet)).and_then(|header| {
            if got < header + tag {
                return Err(SrtpError::TooShort {
                    needed: header + tag,
                    got,
                });
            }
            let result = self.raw.unprotect_rtp(packet, got);
            if let Err(SrtpError::AuthenticationFailed | SrtpError::CipherFailed) = result {
                scrub_after_header(packet, header);
            }
            result
        });
        count(&mut self.stats, result, |s| {
            s.unprotected.rtp_packets += 1;
            s.unprotected.rtp_bytes += got.saturating_sub(tag) as u64;
        })
    }

    /// Authenticates and decrypts the SRTCP packet in `packet` in place, removing index and tag. Never allocates.
    pub fn unprotect_rtcp(&mut self, packet: &mut BytesMut) -> Result<(), SrtpError> {
        let len = self.unprotect_rtcp_slice(packet)?;
        packet.truncate(len);
        Ok(())
    }

    /// Unprotects the SRTCP packet that is all of `packet`; returns the plaintext length.
    pub fn unprotect_rtcp_slice(&mut self, packet: &mut [u8]) -> Result<usize, SrtpError> {
        let got = packet.len();
        let trailer = self.profile.rtcp_trailer_len();
        let result = check_len(got)
            .and_then(|()| rtcp_header_check(packet, RTCP_HEADER_LEN + trailer))
            .and_then(|()| {
                // libsrtp's AEAD path accepts E = 0 as authenticated-only SRTCP (RFC 7714 §9.3); this
                // crate requires encryption for every profile, as libsrtp's AES-CM path does.
                if self.profile.is_aead() && packet[got - 4] & 0x80 == 0 {
                    Err(SrtpError::UnencryptedSrtcp)
                } else {
                    Ok(())
                }
            })
            .and_then(|()| self.raw.unprotect_rtcp(packet, got));
        if let Err(SrtpError::AuthenticationFailed | SrtpError::CipherFailed) = result {
            scrub_after_header(packet, RTCP_HEADER_LEN);
        }
        count(&mut self.stats, result, |s| {
            s.unprotected.rtcp_packets += 1;
            s.unprotected.rtcp_bytes += got.saturating_sub(trailer) as u64;
        })
    }
}

/// Both directions of an SRTP association: protects with our key, unprotects with the peer's.
///
/// The two directions are separate libsrtp sessions, so after [`SrtpSession::split`] sending and receiving
/// can run on different threads without a lock. Unsplit, every call takes `&mut self`; wrap the session in a
/// mutex to share it.
#[derive(Debug)]
pub struct SrtpSession {
    outbound: OutboundSession,
    inbound: InboundSession,
}

impl SrtpSession {
    /// A session from the keys of both directions.
    pub fn new(keys: &SessionKeys, config: &SrtpConfig) -> Result<Self, SrtpError> {
        Ok(Self {
            outbound: OutboundSession::new(keys.local(), config)?,
            inbound: InboundSession::new(keys.remote(), config)?,
        })
    }

    /// The profile in use.
    pub fn profile(&self) -> SrtpProfile {
        self.outbound.profile
    }

    /// Counters of both directions.
    pub fn stats(&self) -> SrtpStats {
        self.outbound.stats.merged(&self.inbound.stats)
    }

    /// The protecting half.
    pub fn outbound(&mut self) -> &mut OutboundSession {
        &mut self.outbound
    }

    /// The unprotecting half.
    pub fn inbound(&mut self) -> &mut InboundSession {
        &mut self.inbound
    }

    /// Separates the halves, e.g. to move them to the sending and receiving tasks.
    pub fn split(self) -> (OutboundSession, InboundSession) {
        (self.outbound, self.inbound)
    }
}

/// Makes room for `trailer` bytes after the packet in `packet` (allocating only if capacity is short), runs
/// `protect` on the whole buffer, and truncates to the length it returns. On error `packet` keeps its length.
fn grow_and_run(
    packet: &mut BytesMut,
    trailer: usize,
    protect: impl FnOnce(&mut [u8], usize) -> Result<usize, SrtpError>,
) -> Result<(), SrtpError> {
    let len = packet.len();
    packet.resize(len + trailer, 0);
    match protect(packet, len) {
        Ok(new_len) => {
            packet.truncate(new_len);
            Ok(())
        }
        Err(e) => {
            packet.truncate(len);
            Err(e)
        }
    }
}

/// Checks `buf[..len]` exists and `buf` has `trailer` bytes after it; returns `buf[..len + trailer]`, so
/// libsrtp is never shown more buffer than it may write.
fn check_protect_room(buf: &mut [u8], len: usize, trailer: usize) -> Result<&mut [u8], SrtpError> {
    if len > buf.len() {
        return Err(SrtpError::LengthOutOfRange { len, max: buf.len() });
    }
    let needed = len.checked_add(trailer).filter(|&n| n <= MAX_PACKET_LEN);
    let Some(needed) = needed else {
        return Err(SrtpError::LengthOutOfRange {
            len,
            max: MAX_PACKET_LEN - trailer,
        });
    };
    let got = buf.len();
    buf.get_mut(..needed).ok_or(SrtpError::BufferTooSmall { needed, got })
}

fn check_len(len: usize) -> Result<(), SrtpError> {
    if len > MAX_PACKET_LEN {
        Err(SrtpError::LengthOutOfRange {
            len,
            max: MAX_PACKET_LEN,
        })
    } else {
        Ok(())
    }
}

/// Length of the RTP header (fixed part, CSRCs, extension block) at the start of `packet`; the part SRTP
/// leaves in the clear.
fn rtp_header_len(packet: &[u8]) -> Result<usize, SrtpError> {
    let got = packet.len();
    let too_short = |needed| SrtpError::TooShort { needed, got };
    let [first, ..] = *packet else {
        return Err(too_short(FIXED_HEADER_LEN));
    };
    if got < FIXED_HEADER_LEN {
        return Err(too_short(FIXED_HEADER_LEN));
    }
    if first >> 6 != RTP_VERSION {
        return Err(SrtpError::BadVersion(first >> 6));
    }
    let mut len = FIXED_HEADER_LEN + 4 * usize::from(first & 0x0F);
    if first & 0x10 != 0 {
        let words = packet.get(len + 2..len + 4).ok_or(too_short(len + 4))?;
        len += 4 + 4 * usize::from(u16::from_be_bytes([words[0], words[1]]));
    }
    if got < len { Err(too_short(len)) } else { Ok(len) }
}

/// Checks an (S)RTCP packet is at least `needed` bytes and has version 2.
fn rtcp_header_check(packet: &[u8], needed: usize) -> Result<(), SrtpError> {
    if packet.len() < needed {
        return Err(SrtpError::TooShort {
            needed,
            got: packet.len(),
        });
    }
    let version = packet[0] >> 6;
    if version == RTP_VERSION {
        Ok(())
    } else {
        Err(SrtpError::BadVersion(version))
    }
}

/// Zeroes what follows the header of a packet that failed authentication.
fn scrub_after_header(packet: &mut [u8], header: usize) {
    if let Some(rest) = packet.get_mut(header..) {
        rest.fill(0);
    }
}

/// Counts `result` into `stats`: `on_ok` on success, the error's counter otherwise.
fn count(
    stats: &mut SrtpStats,
    result: Result<usize, SrtpError>,
    on_ok: impl FnOnce(&mut SrtpStats),
) -> Result<usize, SrtpError> {
    match &result {
        Ok(_) => on_ok(stats),
        Err(e) => stats.errors.record(e),
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lengths() {
        let mut p = [0u8; 40];
        p[0] = 0x80;
        assert_eq!(rtp_header_len(&p), Ok(12));
        p[0] = 0x82; // two CSRCs
        assert_eq!(rtp_header_len(&p), Ok(20));
        p[0] = 0x92; // plus an extension of 2 words
        p[22..24].copy_from_slice(&2u16.to_be_bytes());
        assert_eq!(rtp_header_len(&p), Ok(32));
        assert_eq!(
            rtp_header_len(&p[..30]),
            Err(SrtpError::TooShort { needed: 32, got: 30 })
        );
        assert_eq!(
            rtp_header_len(&p[..21]),
            Err(SrtpError::TooShort { needed: 24, got: 21 })
        );
        assert_eq!(rtp_header_len(&p[..5]), Err(SrtpError::TooShort { needed: 12, got: 5 }));
        assert_eq!(rtp_header_len(&[]), Err(SrtpError::TooShort { needed: 12, got: 0 }));
        p[0] = 0x40;
        assert_eq!(rtp_header_len(&p), Err(SrtpError::BadVersion(1)));
    }

    #[test]
    fn replay_window_is_validated() {
        let key = MasterKey::new(SrtpProfile::Aes128CmHmacSha1_80, &[1; 16], &[2; 14]).expect("valid");
        for bad in [0, 64, 127, 0x8000] {
            let config = SrtpConfig::default().with_replay_window(bad);
            assert!(
                matches!(InboundSession::new(&key, &config), Err(SrtpError::BadParameter(_))),
                "{bad}"
            );
        }
        for good in [128, 1000, 0x7FFF] {
            InboundSession::new(&key, &SrtpConfig::default().with_replay_window(good)).expect("accepted");
        }
    }

    #[test]
    fn sessions_are_send() {
        fn assert_send<T: Send>() {}
        assert_send::<SrtpSession>();
        assert_send::<OutboundSession>();
        assert_send::<InboundSession>();
    }
}
