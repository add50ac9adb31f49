//! Parses arbitrary bytes as RTP; whatever parses must re-serialize identically and survive RTX.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ortc_rtp_packet::{
    ExtensionKind, ExtensionMap, ExtensionValues, RtpHeader, RtpPacket, RtxExtensions, rtx_unwrap, rtx_wrap,
};

fuzz_target!(|data: &[u8]| {
    let Ok(p) = RtpPacket::parse(data) else { return };
    // Every accessor is infallible on a parsed packet.
    let _ = (
        p.marker(),
        p.payload_type(),
        p.sequence_number(),
        p.timestamp(),
        p.ssrc(),
    );
    let _ = p.csrcs().count() + p.extensions().count() + p.payload().len();
    let mut map = ExtensionMap::new();
    for (i, kind) in ExtensionKind::ALL.into_iter().enumerate() {
        map.insert(i as u8 + 1, kind).unwrap();
    }
    let _ = ExtensionValues::decode(&p, &map);

    // Header → bytes → header is stable (element padding inside the block may differ from the input).
    if let Ok(h) = RtpHeader::from_packet(&p) {
        let mut out = vec![0u8; h.packet_len(p.payload().len())];
        if let Ok(n) = h.write(p.payload(), &mut out) {
            let again = RtpPacket::parse(&out[..n]).expect("our own output parses");
            assert_eq!(again.payload(), p.payload());
            assert_eq!(RtpHeader::from_packet(&again).expect("re-read"), h);
        }
    }

    let mut rtx = vec![0u8; data.len() + 2];
    let rewrite = RtxExtensions::new(&map).transport_sequence_number(0xBEEF);
    if let Ok(n) = rtx_wrap(&p, 97, 1, 2, &rewrite, &mut rtx) {
        let r = RtpPacket::parse(&rtx[..n]).expect("RTX output parses");
        assert_eq!(r.header_len(), p.header_len(), "extensions are rewritten in place");
        let v = ExtensionValues::decode(&r, &map);
        assert!(v.rid.is_none(), "an RTX packet carries no rtp-stream-id");
        assert_eq!(v.transport_seq.map(|t| t.0), Some(0xBEEF));
        let mut back = vec![0u8; n];
        let m = rtx_unwrap(&r, p.payload_type(), p.ssrc(), &mut back).expect("unwrap");
        let orig = RtpPacket::parse(&back[..m]).expect("unwrapped parses");
        assert_eq!(orig.payload(), p.payload());
        assert_eq!(orig.sequence_number(), p.sequence_number());
    }
});
