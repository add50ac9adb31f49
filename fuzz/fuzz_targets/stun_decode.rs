//! Parses arbitrary bytes as a STUN message: parsing, decoding every attribute and both checks never panic, and
//! whatever parses is rebuilt attribute by attribute into the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ortc_ice::stun::{Message, MessageBuilder};

fuzz_target!(|data: &[u8]| {
    let _ = ortc_ice::stun::is_stun(data);
    let Ok(m) = Message::parse(data) else { return };
    let tid = m.transaction_id();
    for a in m.attributes() {
        let _ = a.decode(&tid);
    }
    let _ = (
        m.username(),
        m.priority(),
        m.use_candidate(),
        m.ice_controlling(),
        m.ice_controlled(),
    );
    let _ = (m.xor_mapped_address(), m.mapped_address(), m.error_code(), m.software());
    let _ = (
        m.verify_integrity(b"key"),
        m.verify_fingerprint(),
        m.unknown_comprehension_required().count(),
    );

    let mut buf = vec![0u8; data.len()];
    let mut b = MessageBuilder::new(&mut buf, m.method(), m.class(), tid).expect("header fits");
    for a in m.attributes() {
        b.attribute(a.typ, a.value).expect("attributes that parsed fit again");
    }
    let n = b.finish();
    let again = Message::parse(&buf[..n]).expect("our own output parses");
    assert_eq!(again.attributes().count(), m.attributes().count());
    assert!(
        again
            .attributes()
            .zip(m.attributes())
            .all(|(x, y)| x.typ == y.typ && x.value == y.value)
    );
});
