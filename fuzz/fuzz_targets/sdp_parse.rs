//! Parses arbitrary bytes (as UTF-8, lossily) as a session description: parsing never panics, and whatever
//! parses is written and parsed again to an equal description, whose writing is stable.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ortc_sdp::{Candidate, SessionDescription};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Some(rest) = text.strip_prefix("candidate:") {
        if let Ok(c) = rest.parse::<Candidate>() {
            let _ = (c.address.is_mdns(), c.extension("ufrag"));
        }
    }
    let Ok(sdp) = SessionDescription::parse(&text) else {
        return;
    };
    let written = sdp.to_string();
    let again = SessionDescription::parse(&written).expect("our own output parses");
    assert_eq!(again, sdp, "parse -> write -> parse differs");
    assert_eq!(again.to_string(), written, "writing is not stable");
    for m in &sdp.media {
        let _ = (m.mid(), m.direction(), m.rtpmaps().count(), m.payload_types().count());
        let _ = (m.attributes.rtcp_xr().map(|x| x.rcvr_rtt()), m.attributes.setup(), m.attributes.sctp_port());
        for pt in m.payload_types() {
            let _ = (
                m.attributes.fmtp(pt).map(|f| (f.apt(), f.params().count())),
                m.attributes.rtcp_fb(pt).count(),
            );
        }
        let _ = (sdp.ice_ufrag(m), sdp.fingerprints(m), sdp.setup(m), sdp.direction(m));
    }
    let _ = sdp.bundle_mids();
});
