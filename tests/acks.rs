//! `remit validate` on acknowledgments: the sample 999s, 277CAs and 277
//! are read and checked like the 835s and 837s, and a broken one is named
//! with the file, segment, byte offset and what was expected.

use crate::support::{remit, samples, temp_dir};

#[test]
fn validate_accepts_the_sample_acknowledgments() {
    let dir = samples().join("acks");
    let out = remit(&["validate", dir.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    for expected in [
        "2024-11.999: valid: 999 005010X231A1 — 1 interchange(s), 1 transaction(s)",
        "2024-11.277ca: valid: 277CA 005010X214 — 1 interchange(s), 1 transaction(s), 0 claim(s), 2 claim status(es)",
        "2025-02.277ca: valid: 277CA 005010X214 — 1 interchange(s), 2 transaction(s), 0 claim(s), 4 claim status(es)",
        "2025-07.277: valid: 276/277 005010X212 — 1 interchange(s), 1 transaction(s), 0 claim(s), 1 claim status(es)",
    ] {
        assert!(stdout.contains(expected), "{expected}\n{stdout}");
    }
}

#[test]
fn validate_names_where_an_acknowledgment_breaks_its_counts() {
    let text = std::fs::read_to_string(samples().join("acks/2025-06.999")).unwrap();
    // An IK5 lost in transit: SE01 no longer counts right and the AK2 loop
    // has no verdict.
    let broken = text.replace("IK5*R*I5~\n", "");
    let dir = temp_dir("acks-validate");
    let path = dir.join("broken.999");
    std::fs::write(&path, broken).unwrap();
    let out = remit(&["validate", path.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Exit 3: read, with invalid findings.
    assert_eq!(out.status.code(), Some(3), "{stdout}");
    assert!(stdout.contains("broken.999: INVALID: 999"), "{stdout}");
    assert!(
        stdout.contains(
            "invalid: segment 9 at byte 316 (ISA13 400000512, ST02 0001) AK9: AK2 for 837 ST02 0001 has no IK5: its verdict is unknown"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "invalid: segment 10 at byte 329 (ISA13 400000512, ST02 0001) SE: SE01 says \"9\" segments from ST to SE; found 8"
        ),
        "{stdout}"
    );
}
