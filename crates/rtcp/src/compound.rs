//! Compound packets (RFC 3550 §6.1) and reduced-size RTCP (RFC 5506): iterating over the packets of a
//! datagram as typed views, checking the compound rules, and writing several packets into one buffer.

use crate::app::App;
use crate::bye::Bye;
use crate::error::{CompoundRule, RtcpError};
use crate::fb::{Feedback, psfb_fmt, rtpfb_fmt};
use crate::fir::Fir;
use crate::header::{RawPacket, WriteRtcp, packet_type};
use crate::nack::Nack;
use crate::pli::Pli;
use crate::remb::Remb;
use crate::rr::ReceiverReport;
use crate::sdes::{Sdes, SdesType};
use crate::sr::SenderReport;
use crate::twcc::TransportFeedback;
use crate::xr::ExtendedReport;

/// One packet of a compound datagram, decoded by type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RtcpPacket<'a> {
    /// Sender report (200).
    SenderReport(SenderReport<'a>),
    /// Receiver report (201).
    ReceiverReport(ReceiverReport<'a>),
    /// Source description (202).
    Sdes(Sdes<'a>),
    /// Goodbye (203).
    Bye(Bye<'a>),
    /// Application-defined (204).
    App(App<'a>),
    /// Generic NACK (205, FMT 1).
    Nack(Nack<'a>),
    /// Transport-wide congestion control feedback (205, FMT 15).
    TransportFeedback(TransportFeedback<'a>),
    /// Picture loss indication (206, FMT 1).
    Pli(Pli<'a>),
    /// Full intra request (206, FMT 4).
    Fir(Fir<'a>),
    /// Receiver estimated maximum bitrate (206, FMT 15, `REMB`).
    Remb(Remb<'a>),
    /// Extended report (207).
    ExtendedReport(ExtendedReport<'a>),
    /// Any other feedback message (SLI, RPSI, other FMTs), FCI uninterpreted.
    OtherFeedback(Feedback<'a>),
    /// A packet type this crate does not interpret.
    Unknown(RawPacket<'a>),
}

impl<'a> RtcpPacket<'a> {
    /// Decodes a packet whose common header is valid.
    pub fn from_raw(raw: RawPacket<'a>) -> Result<Self, RtcpError> {
        Ok(match raw.packet_type() {
            packet_type::SR => Self::SenderReport(SenderReport::parse(raw)?),
            packet_type::RR => Self::ReceiverReport(ReceiverReport::parse(raw)?),
            packet_type::SDES => Self::Sdes(Sdes::parse(raw)?),
            packet_type::BYE => Self::Bye(Bye::parse(raw)?),
            packet_type::APP => Self::App(App::parse(raw)?),
            packet_type::RTPFB => {
                let fb = Feedback::parse(raw)?;
                match fb.fmt() {
                    rtpfb_fmt::NACK => Self::Nack(Nack::parse(fb)?),
                    rtpfb_fmt::TRANSPORT_CC => Self::TransportFeedback(TransportFeedback::parse(fb)?),
                    _ => Self::OtherFeedback(fb),
                }
            }
            packet_type::PSFB => {
                let fb = Feedback::parse(raw)?;
                match fb.fmt() {
                    psfb_fmt::PLI => Self::Pli(Pli::parse(fb)?),
                    psfb_fmt::FIR => Self::Fir(Fir::parse(fb)?),
                    psfb_fmt::AFB if Remb::is_remb(&fb) => Self::Remb(Remb::parse(fb)?),
                    _ => Self::OtherFeedback(fb),
                }
            }
            packet_type::XR => Self::ExtendedReport(ExtendedReport::parse(raw)?),
            _ => Self::Unknown(raw),
        })
    }

    /// The packet's bytes, header and padding included.
    pub fn raw(&self) -> RawPacket<'a> {
        match self {
            Self::SenderReport(p) => p.raw(),
            Self::ReceiverReport(p) => p.raw(),
            Self::Sdes(p) => p.raw(),
            Self::Bye(p) => p.raw(),
            Self::App(p) => p.raw(),
            Self::Nack(p) => p.feedback().raw(),
            Self::TransportFeedback(p) => p.feedback().raw(),
            Self::Pli(p) => p.feedback().raw(),
            Self::Fir(p) => p.feedback().raw(),
            Self::Remb(p) => p.feedback().raw(),
            Self::ExtendedReport(p) => p.raw(),
            Self::OtherFeedback(p) => p.raw(),
            Self::Unknown(p) => *p,
        }
    }
}

/// Iterates over the packets of a compound (or reduced-size, RFC 5506) RTCP datagram.
///
/// Each item is a typed view or the error that packet has. A packet whose body is malformed yields its
/// error and iteration goes on with the next packet (its length field is sound); a broken common header
/// (bad version, length past the end, bad padding) yields its error and ends iteration, as nothing after it
/// can be located. Allocates nothing.
#[derive(Debug, Clone)]
pub struct Compound<'a> {
    rest: &'a [u8],
}

impl<'a> Compound<'a> {
    /// The packets of `datagram`.
    pub fn new(datagram: &'a [u8]) -> Self {
        Self { rest: datagram }
    }

    /// The packets with only their common headers checked.
    pub fn raw_packets(datagram: &'a [u8]) -> RawPackets<'a> {
        RawPackets { rest: datagram }
    }
}

impl<'a> Iterator for Compound<'a> {
    type Item = Result<RtcpPacket<'a>, RtcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match RawPacket::parse_first(self.rest) {
            Ok((raw, len)) => {
                self.rest = &self.rest[len..];
                Some(RtcpPacket::from_raw(raw))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Iterates over the packets of a datagram with only their common headers checked (see [`Compound`]).
#[derive(Debug, Clone)]
pub struct RawPackets<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for RawPackets<'a> {
    type Item = Result<RawPacket<'a>, RtcpError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match RawPacket::parse_first(self.rest) {
            Ok((raw, len)) => {
                self.rest = &self.rest[len..];
                Some(Ok(raw))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Checks the RFC 3550 §6.1 rules for a full compound packet: every packet decodes, the first is an SR or
/// RR, an SDES with a CNAME is present, and only the last packet is padded.
///
/// Reduced-size RTCP (RFC 5506) waives the first two rules; for it, decoding every packet with
/// [`Compound`] is the whole check.
pub fn validate_compound(datagram: &[u8]) -> Result<(), RtcpError> {
    let mut count = 0;
    let mut cname = false;
    let mut padded_at = None;
    for (i, p) in Compound::new(datagram).enumerate() {
        let p = p?;
        let raw = p.raw();
        if i == 0 && !matches!(p, RtcpPacket::SenderReport(_) | RtcpPacket::ReceiverReport(_)) {
            return Err(RtcpError::Compound(CompoundRule::FirstNotReport(raw.packet_type())));
        }
        if let Some(at) = padded_at {
            return Err(RtcpError::Compound(CompoundRule::PaddingNotLast(at)));
        }
        if raw.has_padding() {
            padded_at = Some(i);
        }
        if let RtcpPacket::Sdes(s) = p {
            cname |= s.chunks().flat_map(|c| c.items()).any(|it| it.kind == SdesType::Cname);
        }
        count += 1;
    }
    if count == 0 {
        return Err(RtcpError::Compound(CompoundRule::Empty));
    }
    if !cname {
        return Err(RtcpError::Compound(CompoundRule::NoCname));
    }
    Ok(())
}

/// Writes packets one after another into a caller's buffer.
///
/// ```
/// use ortc_rtcp::{CompoundWriter, PliBuilder, ReceiverReportBuilder, SdesCname};
///
/// let mut buf = [0u8; 1200];
/// let mut w = CompoundWriter::new(&mut buf);
/// w.push(&ReceiverReportBuilder { sender_ssrc: 1, ..Default::default() })?;
/// w.push(&SdesCname { ssrc: 1, cname: "host" })?;
/// w.push(&PliBuilder { sender_ssrc: 1, media_ssrc: 2 })?;
/// let len = w.len();
/// assert_eq!(len, 8 + 16 + 12);
/// ortc_rtcp::validate_compound(&buf[..len])?;
/// # Ok::<(), ortc_rtcp::RtcpError>(())
/// ```
#[derive(Debug)]
pub struct CompoundWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
    /// The last packet written has the P bit set: RFC 3550 §6.1 allows padding only on the last one.
    padded: bool,
}

impl<'b> CompoundWriter<'b> {
    /// A writer that fills `buf` from its start.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            buf,
            len: 0,
            padded: false,
        }
    }

    /// Appends one packet; on error nothing is appended.
    ///
    /// A packet written with padding (the P bit, e.g. transport-wide CC feedback) must be the last one:
    /// pushing after it is [`RtcpError::PaddingNotLast`].
    pub fn push(&mut self, packet: &dyn WriteRtcp) -> Result<&mut Self, RtcpError> {
        if self.padded {
            return Err(RtcpError::PaddingNotLast);
        }
        let start = self.len;
        let n = packet.write(&mut self.buf[start..])?;
        self.len += n;
        self.padded = n > 0 && self.buf[start] & 0x20 != 0;
        Ok(self)
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes written so far.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    /// Room left in the buffer.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_follows_a_padded_packet() {
        // A padded packet: RR with the P bit and 4 bytes of padding.
        struct Padded;
        impl WriteRtcp for Padded {
            fn encoded_len(&self) -> usize {
                12
            }
            fn write(&self, out: &mut [u8]) -> Result<usize, RtcpError> {
                out[..12].copy_from_slice(&[0xA0, 201, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4]);
                Ok(12)
            }
        }
        let mut buf = [0u8; 64];
        let mut w = CompoundWriter::new(&mut buf);
        w.push(&Padded).unwrap();
        assert_eq!(w.push(&Padded).unwrap_err(), RtcpError::PaddingNotLast);
        assert_eq!(w.len(), 12);
    }

    // aiortc SR + SDES from the capture.
    const SR_SDES: &str = "80c800065c0ddef0eeb157f248d24e16cfc3fcd60000001f0000005d81ca000b5c0ddef00124\
                           65373464373134652d623038612d343631302d396338302d6138373032663938613433310000";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn iterates_typed() {
        let b = hex(SR_SDES);
        let v: Vec<_> = Compound::new(&b).collect();
        assert_eq!(v.len(), 2);
        assert!(matches!(v[0], Ok(RtcpPacket::SenderReport(_))));
        let Ok(RtcpPacket::Sdes(s)) = v[1] else { panic!() };
        assert_eq!(s.cname(), Some(&b"e74d714e-b08a-4610-9c80-a8702f98a431"[..]));
        assert_eq!(validate_compound(&b), Ok(()));
    }

    #[test]
    fn unknown_and_bad_body_keep_going_bad_header_stops() {
        let mut b = vec![0x80, 199, 0, 0]; // unknown type, empty
        b.extend_from_slice(&[0x81, 201, 0, 1, 0, 0, 0, 1]); // RR claims a block it does not have
        b.extend_from_slice(&[0x80, 201, 0, 1, 0, 0, 0, 2]); // fine
        b.extend_from_slice(&[0x80, 201, 0, 9, 0, 0, 0, 3]); // length past the end
        b.extend_from_slice(&[0x80, 201, 0, 1, 0, 0, 0, 4]); // never reached
        let v: Vec<_> = Compound::new(&b).collect();
        assert_eq!(v.len(), 4);
        assert!(matches!(v[0], Ok(RtcpPacket::Unknown(r)) if r.packet_type() == 199));
        assert_eq!(
            v[1],
            Err(RtcpError::BodyTooShort {
                packet: "RR",
                needed: 28,
                got: 4
            })
        );
        assert!(matches!(v[2], Ok(RtcpPacket::ReceiverReport(r)) if r.sender_ssrc() == 2));
        assert_eq!(
            v[3],
            Err(RtcpError::LengthBeyondBuffer {
                declared: 40,
                available: 16
            })
        );
    }

    #[test]
    fn compound_rules() {
        assert_eq!(validate_compound(&[]), Err(RtcpError::Compound(CompoundRule::Empty)));
        let rr = [0x80, 201, 0, 1, 0, 0, 0, 1];
        assert_eq!(validate_compound(&rr), Err(RtcpError::Compound(CompoundRule::NoCname)));
        let pli = [0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2];
        assert_eq!(
            validate_compound(&pli),
            Err(RtcpError::Compound(CompoundRule::FirstNotReport(206)))
        );
        // Reduced-size: a lone PLI decodes fine.
        assert!(Compound::new(&pli).all(|p| p.is_ok()));
        let mut padded = vec![0xA0, 201, 0, 2, 0, 0, 0, 1, 0, 0, 0, 4];
        padded.extend_from_slice(&hex(&SR_SDES[56..]));
        assert_eq!(
            validate_compound(&padded),
            Err(RtcpError::Compound(CompoundRule::PaddingNotLast(0)))
        );
    }

    #[test]
    fn writer_reports_full_buffer() {
        let mut buf = [0u8; 10];
        let mut w = CompoundWriter::new(&mut buf);
        w.push(&crate::ReceiverReportBuilder::default()).unwrap();
        assert_eq!(
            w.push(&crate::ReceiverReportBuilder::default()).err(),
            Some(RtcpError::BufferTooSmall { needed: 8, got: 2 })
        );
        assert_eq!(w.len(), 8);
        assert_eq!(w.remaining(), 2);
    }
}
