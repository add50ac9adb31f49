//! RTCP for WebRTC: parse compound packets without copying, write them without allocating.
//!
//! - [`Compound`]: iterate over the packets of a compound (RFC 3550 §6.1) or reduced-size (RFC 5506)
//!   datagram as typed views ([`RtcpPacket`]); unknown types come out raw, malformed ones as a precise
//!   [`RtcpError`], and iteration goes on whenever the length field allows. [`validate_compound`] checks
//!   the full compound rules.
//! - Views and builders per packet type: [`SenderReport`] / [`SenderReportBuilder`], [`ReceiverReport`],
//!   [`Sdes`], [`Bye`], [`App`], generic [`Nack`] (with [`nack_items`] to turn a loss list into the fewest
//!   items), transport-wide CC [`TransportFeedback`] (and [`TwccEncoder`] for the receiver), [`Pli`],
//!   [`Fir`], [`Remb`], extended reports [`ExtendedReport`] (RRT, DLRR, with [`dlrr_items`] to read the
//!   sub-blocks); SLI, RPSI and other feedback
//!   pass through as [`Feedback`].
//! - Builders implement [`WriteRtcp`]: they write into a caller's `&mut [u8]` or [`bytes::BytesMut`];
//!   [`CompoundWriter`] stacks several into one datagram.
//! - Helpers: [`NtpTime`] ↔ [`std::time::SystemTime`], middle 32 bits, [`rtt_from_report`], [`fraction_lost`],
//!   [`cumulative_lost`] (signed 24 bits). The interarrival jitter of a report block is measured where packets
//!   arrive (`ortc-jitter`), not here.
//!
//! Parsing never panics and never allocates.
//!
//! # Example
//!
//! ```
//! use ortc_rtcp::{
//!     Compound, CompoundWriter, NtpTime, ReportBlock, RtcpPacket, SdesCname, SenderInfo, SenderReportBuilder,
//! };
//!
//! let blocks = [ReportBlock { ssrc: 0xB0B, fraction_lost: 12, cumulative_lost: 3, ..Default::default() }];
//! let mut buf = [0u8; 1200];
//! let mut w = CompoundWriter::new(&mut buf);
//! w.push(&SenderReportBuilder {
//!     sender_ssrc: 0xA11CE,
//!     sender_info: SenderInfo { ntp_time: NtpTime(1 << 32), rtp_time: 960, packet_count: 1, octet_count: 160 },
//!     report_blocks: &blocks,
//!     profile_extension: &[],
//! })?;
//! w.push(&SdesCname { ssrc: 0xA11CE, cname: "alice" })?;
//! let len = w.len();
//!
//! for packet in Compound::new(&buf[..len]) {
//!     match packet? {
//!         RtcpPacket::SenderReport(sr) => {
//!             assert_eq!(sr.sender_ssrc(), 0xA11CE);
//!             assert_eq!(sr.report_blocks().next().map(|b| b.fraction_lost), Some(12));
//!         }
//!         RtcpPacket::Sdes(sdes) => assert_eq!(sdes.cname(), Some(&b"alice"[..])),
//!         other => unreachable!("{other:?}"),
//!     }
//! }
//! # Ok::<(), ortc_rtcp::RtcpError>(())
//! ```

mod app;
mod bye;
mod compound;
mod error;
pub mod fb;
mod fir;
mod header;
mod nack;
pub mod ntp;
mod pli;
mod remb;
pub mod report;
mod rr;
mod sdes;
mod sr;
pub mod twcc;
pub mod xr;

pub use app::{App, AppBuilder};
pub use bye::{Bye, ByeBuilder};
pub use compound::{Compound, CompoundWriter, RawPackets, RtcpPacket, validate_compound};
pub use error::{CompoundRule, RtcpError};
pub use fb::{Feedback, FeedbackBuilder};
pub use fir::{Fir, FirBuilder, FirEntry};
pub use header::{HEADER_LEN, RTCP_VERSION, RawPacket, WriteRtcp, packet_type};
pub use nack::{Nack, NackBuilder, NackItem, NackItems, nack_items};
pub use ntp::{NtpTime, rtt_from_report};
pub use pli::{Pli, PliBuilder};
pub use remb::{REMB_IDENTIFIER, Remb, RembBitrate, RembBuilder};
pub use report::{ReportBlock, ReportBlocks, SenderInfo, cumulative_lost, fraction_lost};
pub use rr::{ReceiverReport, ReceiverReportBuilder};
pub use sdes::{Sdes, SdesBuilder, SdesChunk, SdesChunkBuilder, SdesChunks, SdesCname, SdesItem, SdesItems, SdesType};
pub use sr::{SenderReport, SenderReportBuilder};
pub use twcc::{PacketStatus, StatusChunk, TransportFeedback, TransportFeedbackBuilder, TwccEncoder, TwccPacket};
pub use xr::{DlrrItem, ExtendedReport, ExtendedReportBuilder, XrBlock, XrBlockBuilder, XrBlocks, dlrr_items};
