//! Telling the protocols sharing one 5-tuple apart by their first bytes (RFC 7983, RFC 5761 §4).

/// What a datagram received on a WebRTC transport is, judged by its first byte (and, for RTP/RTCP, its second).
///
/// | first byte | kind |
/// |---|---|
/// | 0–3 | [`Stun`](Self::Stun) |
/// | 16–19 | [`Zrtp`](Self::Zrtp) |
/// | 20–63 | [`Dtls`](Self::Dtls) |
/// | 64–79 | [`TurnChannel`](Self::TurnChannel) |
/// | 128–191, second byte 192–223 | [`Rtcp`](Self::Rtcp) (RTCP packet types 192–223, RFC 5761 §4) |
/// | 128–191, other second byte | [`Rtp`](Self::Rtp) |
/// | anything else, or too short | [`Unknown`](Self::Unknown) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketKind {
    /// A STUN message (ICE connectivity checks, consent).
    Stun,
    /// A ZRTP packet.
    Zrtp,
    /// A DTLS record (handshake, alert or application data).
    Dtls,
    /// A TURN `ChannelData` message.
    TurnChannel,
    /// An (S)RTP packet.
    Rtp,
    /// An (S)RTCP packet.
    Rtcp,
    /// Empty, too short to tell, or a first byte no protocol claims.
    Unknown,
}

/// Classifies `datagram` by its first byte(s), without looking further into it.
///
/// ```
/// use ortc_dtls::{PacketKind, classify};
/// assert_eq!(classify(&[22, 0xfe, 0xfd]), PacketKind::Dtls);
/// assert_eq!(classify(&[0x80, 111]), PacketKind::Rtp);
/// assert_eq!(classify(&[0x81, 200]), PacketKind::Rtcp);
/// assert_eq!(classify(&[0x00, 0x01]), PacketKind::Stun);
/// ```
pub fn classify(datagram: &[u8]) -> PacketKind {
    match datagram {
        [0..=3, ..] => PacketKind::Stun,
        [16..=19, ..] => PacketKind::Zrtp,
        [20..=63, ..] => PacketKind::Dtls,
        [64..=79, ..] => PacketKind::TurnChannel,
        [128..=191, 192..=223, ..] => PacketKind::Rtcp,
        [128..=191, _, ..] => PacketKind::Rtp,
        _ => PacketKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_first_byte_has_its_rfc_7983_kind() {
        for b in 0..=255u8 {
            let kind = classify(&[b, 96]);
            let expected = match b {
                0..=3 => PacketKind::Stun,
                16..=19 => PacketKind::Zrtp,
                20..=63 => PacketKind::Dtls,
                64..=79 => PacketKind::TurnChannel,
                128..=191 => PacketKind::Rtp,
                _ => PacketKind::Unknown,
            };
            assert_eq!(kind, expected, "first byte {b}");
        }
    }

    #[test]
    fn rtcp_by_packet_type() {
        // SR, RR, SDES, BYE, APP, RTPFB, PSFB, XR
        for pt in [200, 201, 202, 203, 204, 205, 206, 207] {
            assert_eq!(classify(&[0x80, pt, 0, 1]), PacketKind::Rtcp);
        }
        assert_eq!(classify(&[0x80, 192]), PacketKind::Rtcp);
        assert_eq!(classify(&[0x80, 223]), PacketKind::Rtcp);
        // payload type 96 with and without the marker bit
        assert_eq!(classify(&[0x80, 96]), PacketKind::Rtp);
        assert_eq!(classify(&[0x80, 0x60 | 0x80]), PacketKind::Rtp);
        assert_eq!(classify(&[0x80, 224]), PacketKind::Rtp);
    }

    #[test]
    fn short_input() {
        assert_eq!(classify(&[]), PacketKind::Unknown);
        assert_eq!(classify(&[0x80]), PacketKind::Unknown);
        assert_eq!(classify(&[22]), PacketKind::Dtls);
    }
}
