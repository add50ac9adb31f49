//! SDP (RFC 8866) with the WebRTC/JSEP attributes, parsed into typed structs and written back byte for byte.
//!
//! - [`SessionDescription`]: the session-level lines (`v o s i u e p c b t r z k`), session [`Attributes`] and
//!   the [`MediaDescription`]s (`m=` with port/port count, protocol, formats, and `i c b k a` lines).
//! - [`Attribute`]: one typed `a=` line — `group`, `mid`, `rtcp-mux`, `rtcp-mux-only`, `rtcp-rsize`, `rtcp`,
//!   [`RtcpXr`] (RFC 3611), `rtpmap`, `fmtp`, `rtcp-fb`, `extmap`, `extmap-allow-mixed`, `ssrc`, `ssrc-group`, `msid`,
//!   `msid-semantic`, the four directions, `ice-ufrag`, `ice-pwd`, `ice-options`, `ice-lite`, [`Candidate`]
//!   (RFC 8839), `end-of-candidates`, `fingerprint`, `setup`, [`Rid`], [`Simulcast`], `sctp-port`,
//!   `max-message-size`, `sctpmap` — or [`Attribute::Other`] for anything else.
//! - Attributes keep their order; [`Attributes`] offers typed look-ups over them (`mid()`, `rtpmap(pt)`,
//!   `fmtp(pt)`, `candidates()`, …). A line the input spelled differently from the canonical writing keeps its
//!   original text ([`AttributeLine`]), so parse → write reproduces real offers exactly. Outside `a=` lines,
//!   only leading zeros in the integer fields (`o=` session version, `b=`, `t=`, `m=` port) are not reproduced.
//! - Writing uses CRLF; parsing accepts CRLF or LF. [`SessionDescription::try_to_string`] is the checked writer
//!   for descriptions built from application values: it refuses a value that would inject a line (CR, LF) or
//!   that would not parse back equal. [`std::fmt::Display`] writes unchecked. A malformed value of a known attribute is kept raw as
//!   [`Attribute::Other`] and recorded in [`SessionDescription::warnings`]
//!   ([`SessionDescription::parse_strict`] rejects it instead). Every error names the 1-based line
//!   and its text ([`SdpError`]). Parsing never panics and allocates only in proportion to the input.
//!
//! The crate is sans-IO: it turns text into values and values into text, nothing else.
//!
//! # Example
//!
//! ```
//! use ortc_sdp::{Attribute, Direction, MediaDescription, Rtpmap, SessionDescription, Setup};
//!
//! let offer = "v=0\r\n\
//! o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n\
//! s=-\r\n\
//! t=0 0\r\n\
//! a=group:BUNDLE 0\r\n\
//! m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n\
//! c=IN IP4 0.0.0.0\r\n\
//! a=mid:0\r\n\
//! a=sendrecv\r\n\
//! a=rtpmap:111 opus/48000/2\r\n\
//! a=fmtp:111 minptime=10;useinbandfec=1\r\n\
//! a=setup:actpass\r\n";
//!
//! let sdp: SessionDescription = offer.parse()?;
//! assert_eq!(sdp.bundle_mids(), Some(&["0".to_string()][..]));
//! let audio = &sdp.media[0];
//! assert_eq!(audio.mid(), Some("0"));
//! assert_eq!(audio.direction(), Some(Direction::SendRecv));
//! assert_eq!(audio.attributes.rtpmap(111).map(|r| r.clock_rate), Some(48000));
//! assert_eq!(audio.attributes.fmtp(111).and_then(|f| f.param("useinbandfec")), Some("1"));
//! assert_eq!(audio.attributes.setup(), Some(Setup::ActPass));
//! assert_eq!(sdp.to_string(), offer);
//!
//! // Building an answer section.
//! let opus = Rtpmap { payload_type: 111, encoding_name: "opus".into(), clock_rate: 48000, encoding_params: Some(2) };
//! let mut answer_audio = MediaDescription::rtp("audio", "0", &[])
//!     .with_codec(opus, Some("minptime=10;useinbandfec=1"))
//!     .with_attribute(Attribute::Setup(Setup::Active));
//! answer_audio.set_direction(Direction::RecvOnly);
//! let answer = SessionDescription::default().with_media(answer_audio);
//! assert!(answer.to_string().contains("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"));
//! assert_eq!(answer.try_to_string()?.parse::<SessionDescription>()?, answer);
//!
//! // Values that would inject lines are refused by the checked writer.
//! let evil = SessionDescription::default().with_attribute(Attribute::Mid("0\r\na=ice-lite".into()));
//! assert!(evil.try_to_string().is_err());
//! # Ok::<(), ortc_sdp::SdpError>(())
//! ```

mod attribute;
mod attributes;
pub mod candidate;
mod error;
mod grammar;
mod media;
mod parse;
pub mod rid;
mod session;
mod write;

pub use attribute::{
    Attribute, AttributeLine, Direction, Extmap, Fingerprint, Fmtp, Group, Msid, MsidSemantic, RcvrRttMode,
    RtcpAddress, RtcpFb, RtcpXr, Rtpmap, Sctpmap, Setup, Ssrc, SsrcGroup, StatFlag, XrFormat,
};
pub use attributes::Attributes;
pub use candidate::{Candidate, CandidateAddress, CandidateTransport, CandidateType, TcpType};
pub use error::{ErrorKind, SdpError};
pub use media::MediaDescription;
pub use rid::{Rid, RidDirection, Simulcast, SimulcastRid};
pub use session::{Bandwidth, Connection, Origin, SessionDescription, Timing};
