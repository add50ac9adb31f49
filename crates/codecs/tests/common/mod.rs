//! Helpers shared by the video codec round-trip tests.
#![allow(dead_code, unreachable_pub)] // each test binary uses a part

use ortc_codecs::{
    Depayloader, EncodedVideo, PayloadPacket, Payloader, Payloads, VideoDecoder, VideoEncoder, VideoFrame,
};

/// Mean absolute luma difference of two pictures of one size.
pub fn luma_error(a: &VideoFrame, b: &VideoFrame) -> u64 {
    a.y.iter()
        .zip(&b.y)
        .map(|(&p, &q)| u64::from(p.abs_diff(q)))
        .sum::<u64>()
        / a.y.len() as u64
}

/// Payloads one encoded frame within `max_payload`; returns the RTP payloads with their markers.
pub fn packetize(payloader: &mut dyn Payloader, encoded: &EncodedVideo, max_payload: usize) -> Vec<(Vec<u8>, bool)> {
    let mut payloads = Payloads::new();
    payloader
        .payload(&encoded.data, max_payload, &mut payloads)
        .expect("payload");
    payloads
        .iter()
        .map(|p| {
            assert!(p.data.len() <= max_payload);
            (p.data.to_vec(), p.marker)
        })
        .collect()
}

/// Four frames of `source(index)` (timestamps `index * 3000`), a keyframe requested at frame 2, payloads of
/// at most `max_payload` bytes; a middle packet of frame 1 is lost. Frame 1 must be reported incomplete and
/// never reach the decoder; frames 0, 2 and 3 must arrive whole and decode.
pub fn lost_middle_packet(
    enc: &mut dyn VideoEncoder,
    dec: &mut dyn VideoDecoder,
    pay: &mut dyn Payloader,
    depay: &mut dyn Depayloader,
    source: &dyn Fn(u32) -> VideoFrame,
    max_payload: usize,
) {
    let (mut encoded, mut picture) = (EncodedVideo::default(), VideoFrame::default());
    let mut seq = 0u16;
    let mut decoded = Vec::new();
    let mut incomplete = Vec::new();
    for index in 0..4u32 {
        if index == 2 {
            enc.request_keyframe();
        }
        let source = source(index);
        assert!(
            enc.encode(&source, &mut encoded).expect("encode"),
            "frame {index} dropped"
        );
        // small packets, so that even a delta frame spans several
        let packets = packetize(pay, &encoded, max_payload);
        if index == 1 {
            assert!(packets.len() >= 3, "frame 1 is {} packets", packets.len());
        }
        for (i, (data, marker)) in packets.iter().enumerate() {
            let this_seq = seq;
            seq = seq.wrapping_add(1);
            if index == 1 && i == packets.len() / 2 {
                continue; // lost in the network
            }
            let out = depay
                .push(PayloadPacket {
                    sequence_number: this_seq,
                    timestamp: source.timestamp,
                    marker: *marker,
                    payload: data,
                })
                .expect("depayload");
            if let Some(lost) = out.incomplete {
                incomplete.push(lost.timestamp);
            }
            if let Some(f) = out.frame {
                // only whole frames reach the decoder
                assert_eq!(f.data, &encoded.data[..]);
                assert!(dec.decode(f.data, f.timestamp, &mut picture).expect("decode"));
                assert_eq!(picture.timestamp, source.timestamp);
                decoded.push(index);
            }
        }
    }
    assert_eq!(incomplete, [3000]);
    // frame 3 follows the forced keyframe 2 and decodes; frame 1 never reached the decoder
    assert_eq!(decoded, [0, 2, 3]);
}
