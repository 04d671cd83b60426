//! Which lines a contract row covers (its scope) and how specific the row
//! is for a line. The specificity order is documented on [`Specificity`];
//! it is what makes "the most specific row wins" a rule and not a guess.

use jiff::civil::Date;

use super::table::normalise;
use crate::text::Text;

/// Where the service was performed, as fee schedules split it: facility
/// (hospital, ASC, SNF…) or non-facility (office, home…). Medicare's
/// physician fee schedule pays different amounts for the two.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// A facility place of service.
    Facility,
    /// A non-facility place of service.
    NonFacility,
    /// Not known (no 837, no CLP08, or a code that is not a place of
    /// service). Rows scoped to a place never match it.
    #[default]
    Unknown,
}

/// Places of service Medicare pays at the facility rate (Claims Processing
/// Manual ch. 12 §20.4.2 and the PFS place-of-service list): telehealth
/// other than home, off- and on-campus hospital outpatient, inpatient
/// hospital, emergency room, ASC, military facility, SNF, hospice,
/// ambulance, inpatient psychiatric, partial hospitalisation, community
/// mental health centre, psychiatric residential treatment, inpatient
/// rehabilitation.
const FACILITY_POS: [&str; 16] = [
    "02", "19", "21", "22", "23", "24", "26", "31", "34", "41", "42", "51", "52", "53", "56", "61",
];

impl Place {
    /// The class of a two-digit CMS place-of-service code (837P CLM05-1 or
    /// SV105, or the 835's CLP08 on a professional claim). Any other valid
    /// code (11 office, 12 home, 20 urgent care…) is non-facility; text that
    /// is not a place-of-service code is unknown. An institutional claim
    /// (837I, whose CLM05-1 is a facility type code) is
    /// [`Place::Facility`]: the caller knows which it read.
    pub fn from_pos(code: &str) -> Place {
        let code = code.trim();
        if code.len() != 2 || !code.bytes().all(|b| b.is_ascii_digit()) || code == "00" {
            Place::Unknown
        } else if FACILITY_POS.contains(&code) {
            Place::Facility
        } else {
            Place::NonFacility
        }
    }

    /// `facility`, `nonfacility` or `unknown`, as the `place` column
    /// spells them.
    pub fn as_str(self) -> &'static str {
        match self {
            Place::Facility => "facility",
            Place::NonFacility => "nonfacility",
            Place::Unknown => "unknown",
        }
    }

    /// Parses a `place` cell: `facility`, `nonfacility` (also `non-facility`,
    /// `non facility`) or empty (`None`, any place).
    pub(crate) fn parse_cell(text: &str) -> Result<Option<Place>, ()> {
        let t = text
            .trim()
            .to_ascii_lowercase()
            .replace(['-', ' ', '_'], "");
        match t.as_str() {
            "" => Ok(None),
            "facility" => Ok(Some(Place::Facility)),
            "nonfacility" => Ok(Some(Place::NonFacility)),
            _ => Err(()),
        }
    }
}

/// Effective dates, both inclusive; `None` is open.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub(crate) struct Period {
    pub from: Option<Date>,
    pub to: Option<Date>,
}

impl Period {
    /// A row with either date is dated; one with neither is the standing
    /// rate of its scope.
    pub fn is_dated(&self) -> bool {
        self.from.is_some() || self.to.is_some()
    }

    /// Whether the period covers a date of service. A line without one is
    /// covered only by undated rows: a dated row cannot be chosen blind.
    pub fn covers(&self, date: Option<Date>) -> bool {
        if !self.is_dated() {
            return true;
        }
        let Some(d) = date else { return false };
        self.from.is_none_or(|f| f <= d) && self.to.is_none_or(|t| d <= t)
    }

    /// The days both periods cover, if any.
    pub fn overlap(&self, other: &Period) -> Option<Period> {
        let from = self.from.max(other.from);
        let to = match (self.to, other.to) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let empty = matches!((from, to), (Some(f), Some(t)) if f > t);
        (!empty).then_some(Period { from, to })
    }

    /// `from 2024-07-01 to 2024-12-31`, `from 2024-07-01 on`,
    /// `up to 2023-12-31`, `on every date`.
    pub fn days(&self) -> String {
        match (self.from, self.to) {
            (Some(f), Some(t)) => format!("from {f} to {t}"),
            (Some(f), None) => format!("from {f} on"),
            (None, Some(t)) => format!("up to {t}"),
            (None, None) => "on every date".into(),
        }
    }

    /// `2024` for a whole calendar year, `from 2024-03-01`,
    /// `to 2023-12-31`, `2024-03-01 to 2024-06-30`; empty when undated.
    pub fn label(&self) -> String {
        match (self.from, self.to) {
            (None, None) => String::new(),
            (Some(f), Some(t))
                if f.year() == t.year()
                    && (f.month(), f.day()) == (1, 1)
                    && (t.month(), t.day()) == (12, 31) =>
            {
                f.year().to_string()
            }
            (Some(f), Some(t)) => format!("{f} to {t}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("to {t}"),
        }
    }
}

/// The payer and plan of a claim as rows are matched against them.
#[derive(Clone, Debug, Default)]
pub(crate) struct Who {
    pub payer_id: Text,
    pub payer_name: Text,
    pub filing: Text,
    pub plan_id: Text,
}

impl Who {
    pub fn new(payer_id: &str, payer_name: &str, filing: &str, plan_id: &str) -> Who {
        Who {
            payer_id: normalise(payer_id),
            payer_name: normalise(payer_name),
            filing: normalise(filing),
            plan_id: normalise(plan_id),
        }
    }
}

/// Names billing staff use for CLP06 claim filing indicator codes, so a
/// `plan` cell may say `PPO` for `12`. Only unambiguous names: Medicare is
/// `MA` or `MB` and must be written as the code.
const FILING_NAMES: [(&str, &str); 9] = [
    ("PPO", "12"),
    ("POS", "13"),
    ("EPO", "14"),
    ("INDEMNITY", "15"),
    ("HMO", "HM"),
    ("COMMERCIAL", "CI"),
    ("MEDICAID", "MC"),
    ("TRICARE", "CH"),
    ("CHAMPUS", "CH"),
];

/// The CLP06 code a plan cell stands for (itself when not a known name).
fn filing_code(plan: &str) -> &str {
    FILING_NAMES
        .iter()
        .find(|(name, _)| *name == plan)
        .map_or(plan, |(_, code)| code)
}

/// What a row covers. Empty payer/plan, `*` procedure (`None`), no
/// modifiers and no place each mean "any".
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Scope {
    /// Normalised payer id or name.
    pub payer: Text,
    /// Normalised plan (a CLP06 code, a name for one, or a plan id).
    pub plan: Text,
    /// `None` for `*`.
    pub procedure: Option<Text>,
    /// Sorted, upper case.
    pub modifiers: Vec<Text>,
    pub place: Option<Place>,
    pub period: Period,
}

/// How specific a matching row is for a line, compared field by field in
/// this order (the first difference decides):
///
/// 1. payer: a row naming the payer's id (N1*PR N104 / TRN03) beats one
///    naming its name (N1*PR N102), which beats a row for any payer;
/// 2. plan: a row naming the claim's plan id beats one naming its CLP06
///    filing indicator (code or name), which beats a row for any plan;
/// 3. procedure: the exact code beats `*`;
/// 4. modifiers: more of the line's modifiers named beats fewer (a row
///    matches only when the line carries every modifier it names);
/// 5. place: `facility`/`nonfacility` beats any place;
/// 6. dates: a dated row beats the undated (standing) row of its scope.
///
/// Two different rows with equal specificity for a line are ambiguous.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Specificity {
    payer: u8,
    plan: u8,
    procedure: u8,
    modifiers: u8,
    place: u8,
    dated: u8,
}

impl Scope {
    /// How specifically this row matches the payer/plan and a line, or
    /// `None` when it does not match. `modifiers` is the line's modifier
    /// set (sorted).
    pub fn matches(
        &self,
        who: &Who,
        procedure: &str,
        modifiers: &[Text],
        place: Place,
        date: Option<Date>,
    ) -> Option<Specificity> {
        let payer = if self.payer.is_empty() {
            0
        } else if self.payer == who.payer_id {
            2
        } else if self.payer == who.payer_name {
            1
        } else {
            return None;
        };
        self.matches_below_payer(who, procedure, modifiers, place, date)
            .map(|s| Specificity { payer, ..s })
    }

    fn matches_below_payer(
        &self,
        who: &Who,
        procedure: &str,
        modifiers: &[Text],
        place: Place,
        date: Option<Date>,
    ) -> Option<Specificity> {
        let plan = if self.plan.is_empty() {
            0
        } else if self.plan == who.plan_id {
            2
        } else if !who.filing.is_empty() && filing_code(&self.plan) == who.filing {
            1
        } else {
            return None;
        };
        let procedure = match &self.procedure {
            None => 0,
            Some(p) if p == procedure => 1,
            Some(_) => return None,
        };
        if !self.modifiers.iter().all(|m| modifiers.contains(m)) {
            return None;
        }
        let place = match self.place {
            None => 0,
            Some(p) if p == place => 1,
            Some(_) => return None,
        };
        if !self.period.covers(date) {
            return None;
        }
        Some(Specificity {
            payer: 0,
            plan,
            procedure,
            modifiers: u8::try_from(self.modifiers.len()).unwrap_or(u8::MAX),
            place,
            dated: u8::from(self.period.is_dated()),
        })
    }

    /// Whether two rows cover the same lines apart from their dates (the
    /// plan compared as the CLP06 code it stands for).
    pub fn same_coverage(&self, other: &Scope) -> bool {
        self.payer == other.payer
            && filing_code(&self.plan) == filing_code(&other.plan)
            && self.procedure == other.procedure
            && self.modifiers == other.modifiers
            && self.place == other.place
    }

    /// `payer ACME, plan PPO, procedure 97110, modifiers GP, facility`,
    /// for errors.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        parts.push(if self.payer.is_empty() {
            "any payer".to_string()
        } else {
            format!("payer {}", self.payer)
        });
        if !self.plan.is_empty() {
            parts.push(format!("plan {}", self.plan));
        }
        parts.push(format!(
            "procedure {}",
            self.procedure.as_deref().unwrap_or("*")
        ));
        if !self.modifiers.is_empty() {
            parts.push(format!("modifiers {}", self.modifiers.join(":")));
        }
        if let Some(p) = self.place {
            parts.push(p.as_str().to_string());
        }
        parts.join(", ")
    }

    /// `ACME PPO nonfacility 2024`: the short name of the contract a row
    /// belongs to, for `expected_basis`.
    pub fn label(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        parts.push(if self.payer.is_empty() {
            "any payer".into()
        } else {
            self.payer.to_string()
        });
        if !self.plan.is_empty() {
            parts.push(self.plan.to_string());
        }
        if let Some(p) = self.place {
            parts.push(p.as_str().into());
        }
        let period = self.period.label();
        if !period.is_empty() {
            parts.push(period);
        }
        parts.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn place_of_service_classes() {
        assert_eq!(Place::from_pos("11"), Place::NonFacility);
        assert_eq!(Place::from_pos("22"), Place::Facility);
        assert_eq!(Place::from_pos(" 24 "), Place::Facility);
        assert_eq!(Place::from_pos("1"), Place::Unknown);
        assert_eq!(Place::from_pos(""), Place::Unknown);
        assert_eq!(Place::from_pos("AB"), Place::Unknown);
    }

    #[test]
    fn periods_are_inclusive_and_open_ended() {
        let year = Period {
            from: Some(day("2024-01-01")),
            to: Some(day("2024-12-31")),
        };
        assert!(year.covers(Some(day("2024-12-31"))));
        assert!(!year.covers(Some(day("2025-01-01"))));
        assert!(!year.covers(None));
        assert!(Period::default().covers(None));
        assert_eq!(year.label(), "2024");
        let from_july = Period {
            from: Some(day("2024-07-01")),
            to: None,
        };
        assert_eq!(
            year.overlap(&from_july).map(|p| p.days()),
            Some("from 2024-07-01 to 2024-12-31".into())
        );
        let to_2023 = Period {
            from: None,
            to: Some(day("2023-12-31")),
        };
        assert_eq!(year.overlap(&to_2023), None);
        assert_eq!(
            to_2023.overlap(&Period::default()).map(|p| p.days()),
            Some("up to 2023-12-31".into())
        );
    }

    #[test]
    fn id_beats_name_beats_any_payer() {
        let who = Who::new("60054", "Acme  Health", "12", "");
        let row = |payer: &str| Scope {
            payer: normalise(payer),
            plan: Text::default(),
            procedure: Some("97110".into()),
            modifiers: vec![],
            place: None,
            period: Period::default(),
        };
        let m = |s: Scope| s.matches(&who, "97110", &[], Place::Unknown, None);
        assert!(m(row("60054")) > m(row("acme health")));
        assert!(m(row("acme health")) > m(row("")));
        assert_eq!(m(row("OTHER")), None);
    }

    #[test]
    fn plan_names_stand_for_filing_codes() {
        let who = Who::new("", "ACME", "12", "GOLD1");
        let row = |plan: &str| Scope {
            payer: Text::default(),
            plan: normalise(plan),
            procedure: None,
            modifiers: vec![],
            place: None,
            period: Period::default(),
        };
        let m = |s: Scope| s.matches(&who, "97110", &[], Place::Unknown, None);
        assert!(m(row("gold1")) > m(row("PPO")));
        assert_eq!(m(row("PPO")), m(row("12")));
        assert!(m(row("12")) > m(row("")));
        assert_eq!(m(row("HMO")), None);
        assert!(row("PPO").same_coverage(&row("12")));
    }
}
