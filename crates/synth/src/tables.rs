//! Made-up but plausible reference data: procedure codes with base charges,
//! modifiers, diagnoses, names and places. Nothing here is a real person.

/// What kind of service a procedure code is; it decides units and modifiers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Visit,
    Lab,
    Surgery,
    Therapy,
    Drug,
    Imaging,
}

/// A procedure code with a typical charge per unit, in cents.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Procedure {
    pub(crate) code: &'static str,
    pub(crate) cents: i64,
    pub(crate) kind: Kind,
    /// Index of the code a payer may downcode this one to.
    pub(crate) lower: Option<u8>,
}

const fn p(code: &'static str, dollars: i64, kind: Kind, lower: Option<u8>) -> Procedure {
    Procedure {
        code,
        cents: dollars * 100,
        kind,
        lower,
    }
}

/// CPT and HCPCS codes used by the generator. Keep `lower` indexes in sync.
pub(crate) const PROCEDURES: &[Procedure] = &[
    p("99211", 45, Kind::Visit, None),      // 0
    p("99212", 80, Kind::Visit, Some(0)),   // 1
    p("99213", 125, Kind::Visit, Some(1)),  // 2
    p("99214", 185, Kind::Visit, Some(2)),  // 3
    p("99215", 260, Kind::Visit, Some(3)),  // 4
    p("99202", 110, Kind::Visit, None),     // 5
    p("99203", 170, Kind::Visit, Some(5)),  // 6
    p("99204", 265, Kind::Visit, Some(6)),  // 7
    p("36415", 15, Kind::Lab, None),        // 8
    p("80053", 55, Kind::Lab, None),        // 9
    p("85025", 35, Kind::Lab, None),        // 10
    p("81002", 12, Kind::Lab, None),        // 11
    p("87880", 40, Kind::Lab, None),        // 12
    p("93000", 70, Kind::Imaging, None),    // 13
    p("71046", 120, Kind::Imaging, None),   // 14
    p("73630", 95, Kind::Imaging, None),    // 15
    p("97110", 60, Kind::Therapy, None),    // 16
    p("97140", 55, Kind::Therapy, None),    // 17
    p("97530", 65, Kind::Therapy, None),    // 18
    p("11102", 150, Kind::Surgery, None),   // 19
    p("20610", 210, Kind::Surgery, None),   // 20
    p("17110", 175, Kind::Surgery, None),   // 21
    p("90471", 30, Kind::Drug, None),       // 22
    p("90686", 45, Kind::Drug, None),       // 23
    p("J1100", 8, Kind::Drug, None),        // 24
    p("J3301", 12, Kind::Drug, None),       // 25
    p("99283", 210, Kind::Visit, None),     // 26
    p("99284", 420, Kind::Visit, Some(26)), // 27
    p("99285", 650, Kind::Visit, Some(27)), // 28
];

/// Office visits are the first codes of [`PROCEDURES`].
pub(crate) const OFFICE_VISITS: u64 = 8;

/// Clinics bill the codes before this index; emergency visits come after.
pub(crate) const PROFESSIONAL: u64 = 26;

/// A revenue code (institutional claims), with the procedure it is billed
/// with, or else a list price per unit in cents.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Revenue {
    pub(crate) code: &'static str,
    /// Index in [`PROCEDURES`].
    pub(crate) procedure: Option<u8>,
    pub(crate) cents: i64,
}

const fn r(code: &'static str, procedure: Option<u8>, dollars: i64) -> Revenue {
    Revenue {
        code,
        procedure,
        cents: dollars * 100,
    }
}

/// Outpatient hospital lines: emergency room, lab, imaging, drugs, therapy.
pub(crate) const OUTPATIENT: &[Revenue] = &[
    r("0450", Some(27), 0),
    r("0450", Some(28), 0),
    r("0300", Some(9), 0),
    r("0305", Some(10), 0),
    r("0320", Some(14), 0),
    r("0730", Some(13), 0),
    r("0250", None, 45),
    r("0636", Some(24), 0),
    r("0420", Some(16), 0),
];

/// Semi-private room and board, billed per day of an inpatient stay.
pub(crate) const ROOM_AND_BOARD: Revenue = r("0120", None, 1800);

/// Other inpatient lines: pharmacy, lab, operating room, recovery, supplies.
pub(crate) const INPATIENT: &[Revenue] = &[
    r("0250", None, 120),
    r("0300", Some(9), 0),
    r("0360", None, 4500),
    r("0710", None, 900),
    r("0270", None, 300),
];

/// Modifiers that make sense for each kind of service.
pub(crate) fn modifiers(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Visit => &["25", "95", "GT"],
        Kind::Lab => &["QW", "90", "91"],
        Kind::Surgery => &["LT", "RT", "59", "76"],
        Kind::Therapy => &["GP", "59", "KX"],
        Kind::Drug => &["JZ", "JW"],
        Kind::Imaging => &["26", "TC", "LT", "RT"],
    }
}

/// ICD-10-CM codes (without the dot).
pub(crate) const DIAGNOSES: &[&str] = &[
    "J069", "I10", "E119", "M545", "Z0000", "R05", "J029", "N390", "M25561", "K219", "F419",
    "E785", "R1030", "L309", "H6690",
];

/// First names for subscribers.
pub(crate) const FIRST_NAMES: &[&str] = &[
    "ALEX", "JORDAN", "TAYLOR", "MORGAN", "CASEY", "RILEY", "JAMIE", "AVERY", "QUINN", "DREW",
    "ROBIN", "SKYLER", "REESE", "PAT", "DANA", "LEE",
];

/// First names for dependents.
pub(crate) const DEPENDENT_NAMES: &[&str] = &["SAM", "CHARLIE", "FRANKIE", "KIT", "NOOR", "ELI"];

/// Street names for addresses.
pub(crate) const STREETS: &[&str] = &[
    "MAIN ST",
    "OAK AVE",
    "ELM ST",
    "PARK BLVD",
    "RIVER RD",
    "HILL DR",
];

/// A city with its state and first three digits of the ZIP code.
#[derive(Clone, Copy, Debug)]
pub(crate) struct City {
    pub(crate) name: &'static str,
    pub(crate) state: &'static str,
    pub(crate) zip3: u16,
}

const fn c(name: &'static str, state: &'static str, zip3: u16) -> City {
    City { name, state, zip3 }
}

/// Cities for addresses.
pub(crate) const CITIES: &[City] = &[
    c("SPRINGFIELD", "IL", 627),
    c("TRENTON", "NJ", 86),
    c("ALBANY", "NY", 122),
    c("COLUMBUS", "OH", 432),
    c("AUSTIN", "TX", 787),
    c("SALEM", "OR", 973),
    c("DOVER", "DE", 199),
    c("MADISON", "WI", 537),
];

/// CLP06/SBR09 claim filing indicators valid in both the 835 and the 837.
pub(crate) const FILING_INDICATORS: &[&str] = &["12", "HM", "MC", "MB", "16"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revenue_lines_have_a_price() {
        for rev in OUTPATIENT.iter().chain(INPATIENT).chain([&ROOM_AND_BOARD]) {
            assert!(rev.procedure.is_some() != (rev.cents > 0), "{}", rev.code);
            assert_eq!(rev.code.len(), 4);
        }
        assert!(
            PROCEDURES[..OFFICE_VISITS as usize]
                .iter()
                .all(|p| p.kind == Kind::Visit)
        );
    }

    #[test]
    fn downcodes_point_to_a_cheaper_code_of_the_same_kind() {
        for proc in PROCEDURES {
            if let Some(i) = proc.lower {
                let lower = PROCEDURES[usize::from(i)];
                assert_eq!(lower.kind, proc.kind, "{}", proc.code);
                assert!(lower.cents < proc.cents, "{}", proc.code);
            }
        }
    }
}
