//! Acknowledgments in words: a 999's verdict on a transaction set with its
//! segment and element errors, a TA1's on an interchange, and a 277's
//! status codes — the sentences that go into a worklist's `reason`.
//!
//! Words never include IK404 (the copy of a bad value) or names: those may
//! be PHI. They name segments, positions, loops, element numbers, claim ids
//! and codes.

use super::codes::{AckCodes, AckList};
use super::model::{
    ElementError, InterchangeAck, SegmentError, SetResponse, StatusCode, StatusInfo,
};

/// One status code triple in words: `rejected for invalid information,
/// named in the status details (A7); the entity's contract/member number
/// (status 164) of the subscriber (IL)`.
pub fn describe_status_code(codes: &AckCodes, code: &StatusCode) -> String {
    let mut text = format!(
        "{} ({})",
        codes.description(AckList::Category, &code.category),
        code.category
    );
    if !code.status.is_empty() {
        text.push_str(&format!(
            "; {} (status {})",
            codes.description(AckList::Status, &code.status),
            code.status
        ));
    }
    if !code.entity.is_empty() {
        let entity = codes
            .get(AckList::Entity, &code.entity)
            .map_or("entity", |e| e.description.as_str());
        text.push_str(&format!(" of the {entity} ({})", code.entity));
    }
    text
}

/// Every code of a set of STC segments in words, joined by ` | `, with the
/// free-form message when the payer sent one.
pub fn describe_statuses(codes: &AckCodes, statuses: &[StatusInfo]) -> String {
    let mut parts: Vec<String> = Vec::new();
    for info in statuses {
        for code in &info.codes {
            let words = describe_status_code(codes, code);
            if !parts.contains(&words) {
                parts.push(words);
            }
        }
        if !info.message.is_empty() {
            parts.push(format!("message: {}", info.message));
        }
    }
    parts.join(" | ")
}

/// One IK4 in words: `NM109 (element 9, data element 67): value does not
/// match the pattern the implementation guide requires (IK403 I12)`.
pub fn describe_element_error(codes: &AckCodes, segment: &str, error: &ElementError) -> String {
    let mut place = format!("{segment}{:0>2}", error.position);
    if !error.component.is_empty() {
        place.push_str(&format!("-{}", error.component));
    }
    let reference = if error.reference.is_empty() {
        String::new()
    } else {
        format!(", data element {}", error.reference)
    };
    format!(
        "{place} (element {}{reference}): {}",
        error.position,
        codes.words(AckList::ElementError, &error.code)
    )
}

/// One IK3 with its IK4s in words.
pub fn describe_segment_error(codes: &AckCodes, error: &SegmentError) -> String {
    let mut text = format!("segment {} #{}", error.segment, error.position);
    if !error.loop_id.is_empty() {
        text.push_str(&format!(" in loop {}", error.loop_id));
    }
    if let Some((context, reference)) = &error.business_unit {
        text.push_str(&format!(" ({context} {reference})"));
    }
    if !error.code.is_empty() {
        text.push_str(&format!(
            ": {}",
            codes.words(AckList::SegmentError, &error.code)
        ));
    }
    for element in &error.elements {
        text.push_str("; ");
        text.push_str(&describe_element_error(codes, &error.segment, element));
    }
    text
}

/// A 999's verdict on one set in words: `837 ST02 0001 rejected (IK501 R):
/// segment NM1 #34 in loop 2010BA (CLM01 RC25-008): …; one or more segments
/// break the implementation guide (IK5 I5)`.
pub fn describe_set_response(codes: &AckCodes, set: &SetResponse) -> String {
    let mut text = format!(
        "{} ST02 {} {} (IK501 {})",
        set.set_id,
        set.control,
        codes.description(AckList::Ack, &set.code),
        set.code
    );
    let mut details: Vec<String> = set
        .errors
        .iter()
        .map(|e| describe_segment_error(codes, e))
        .collect();
    details.extend(
        set.set_errors
            .iter()
            .map(|c| codes.words(AckList::SetError, c)),
    );
    if !details.is_empty() {
        text.push_str(": ");
        text.push_str(&details.join("; "));
    }
    text
}

/// A TA1 in words: `interchange ISA13 300000512 rejected (TA104 R): the
/// segment terminator is invalid (TA105 004)`.
pub fn describe_interchange_ack(codes: &AckCodes, ack: &InterchangeAck) -> String {
    let mut text = format!(
        "interchange ISA13 {} {} (TA104 {})",
        ack.interchange,
        codes.description(AckList::InterchangeAck, &ack.code),
        ack.code
    );
    if !ack.note.is_empty() && ack.note != "000" {
        text.push_str(&format!(
            ": {}",
            codes.words(AckList::InterchangeNote, &ack.note)
        ));
    }
    text
}
