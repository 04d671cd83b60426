//! Payment rules: the `rules` cell of a contract row (`mppr=50;bilateral=150`)
//! and the `max_units` column, parsed and layered. Built-in defaults, then
//! every matching `*` row from least to most specific, then the row that
//! priced the line: a later layer overrides an earlier one rule by rule.
//! Each setting keeps the row that gave it, so `expected_basis` can cite it.

use rust_decimal::Decimal;

use super::error::RowRef;
use crate::text::Text;

/// A setting and the row it came from (`None`: remit's built-in default).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Sourced<T> {
    pub value: T,
    pub from: Option<RowRef>,
}

/// Multiple procedure reduction: the 2nd-ranked procedure at `second` %,
/// the 3rd and later at `rest` % (equal unless written `50:25`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Mppr {
    pub second: Decimal,
    pub rest: Decimal,
}

/// A component share: lines with `modifier` get `percent` of the global.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Component {
    pub modifier: Text,
    pub percent: Decimal,
}

/// Procedure code ranges, inclusive, compared as text of equal length
/// (`10000-69999 97010-97799 G0283`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CodeRanges(Vec<(Text, Text)>);

impl CodeRanges {
    /// CPT's surgery section, 10000–69999: the codes Medicare's multiple
    /// surgery rule reduces, and what "surgical" means here by default.
    pub fn surgery() -> CodeRanges {
        CodeRanges(vec![("10000".into(), "69999".into())])
    }

    pub fn contains(&self, code: &str) -> bool {
        self.0
            .iter()
            .any(|(lo, hi)| code.len() == lo.len() && lo.as_str() <= code && code <= hi.as_str())
    }

    fn parse(text: &str) -> Option<CodeRanges> {
        let mut ranges = Vec::new();
        // Blanks separate ranges (a comma would need quoting in the CSV);
        // commas are accepted for a quoted cell.
        for part in text.split([',', ' ']).filter(|p| !p.is_empty()) {
            let (lo, hi) = part.split_once('-').unwrap_or((part, part));
            let lo = super::table::procedure(lo.trim())?;
            let hi = super::table::procedure(hi.trim())?;
            if lo.len() != hi.len() || lo > hi {
                return None;
            }
            ranges.push((lo, hi));
        }
        (!ranges.is_empty()).then_some(CodeRanges(ranges))
    }

    #[cfg(test)]
    fn describe(&self) -> String {
        self.0
            .iter()
            .map(|(lo, hi)| {
                if lo == hi {
                    lo.to_string()
                } else {
                    format!("{lo}-{hi}")
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The rules of one row (`None`: the row does not mention the rule), or,
/// after [`Rules::overlay`], the rules in force for a line. For the
/// switchable rules the inner `None` is `off`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Rules {
    pub mppr: Option<Sourced<Option<Mppr>>>,
    pub mppr_codes: Option<Sourced<CodeRanges>>,
    pub bilateral: Option<Sourced<Option<Decimal>>>,
    pub assistant: Option<Sourced<Option<Decimal>>>,
    pub professional: Option<Sourced<Option<Component>>>,
    pub technical: Option<Sourced<Option<Component>>>,
    pub sequestration: Option<Sourced<Option<Decimal>>>,
    pub max_units: Option<Sourced<Decimal>>,
}

/// The rule names a `rules` cell may use, for error messages.
pub(crate) const RULE_NAMES: &str =
    "mppr, mppr_codes, bilateral, assistant, professional, technical, sequestration";

impl Rules {
    /// What applies when no contract row says otherwise: sequestration is
    /// accepted up to 2 % (the Medicare rate since 2013, a statute rather
    /// than a contract term), surgery is CPT 10000–69999, and every other
    /// rule is off — a contract states its own reductions.
    pub fn builtin() -> Rules {
        Rules {
            mppr_codes: Some(Sourced {
                value: CodeRanges::surgery(),
                from: None,
            }),
            sequestration: Some(Sourced {
                value: Some(Decimal::from(2)),
                from: None,
            }),
            ..Rules::default()
        }
    }

    /// Lays `top` over these rules: each rule `top` mentions replaces this
    /// one's.
    pub fn overlay(&mut self, top: &Rules) {
        fn over<T: Clone>(base: &mut Option<T>, top: &Option<T>) {
            if top.is_some() {
                base.clone_from(top);
            }
        }
        over(&mut self.mppr, &top.mppr);
        over(&mut self.mppr_codes, &top.mppr_codes);
        over(&mut self.bilateral, &top.bilateral);
        over(&mut self.assistant, &top.assistant);
        over(&mut self.professional, &top.professional);
        over(&mut self.technical, &top.technical);
        over(&mut self.sequestration, &top.sequestration);
        over(&mut self.max_units, &top.max_units);
    }

    /// Parses a `rules` cell. The error is the text of the offending rule
    /// and what was expected.
    pub fn parse(text: &str, at: &RowRef) -> Result<Rules, (String, String)> {
        let mut rules = Rules::default();
        for item in text.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let bad = |expected: String| (item.to_string(), expected);
            let Some((name, value)) = item.split_once('=') else {
                return Err(bad(format!("a rule written name=value ({RULE_NAMES})")));
            };
            let name = name.trim().to_ascii_lowercase();
            let value = value.trim();
            // `off`, or the parsed value, or what the rule takes.
            let switch = |parsed: Option<Decimal>, takes: String| match parsed {
                _ if value.eq_ignore_ascii_case("off") => Ok(None),
                Some(v) => Ok(Some(v)),
                None => Err(bad(format!("{takes} or {name}=off"))),
            };
            let percent = |max: u32| {
                switch(
                    super::table::percent(value, max),
                    format!("{name}=P (a percentage, 0–{max})"),
                )
            };
            let at = Some(at.clone());
            let seen = match name.as_str() {
                "mppr" => {
                    let v = if value.eq_ignore_ascii_case("off") {
                        None
                    } else {
                        Some(parse_mppr(value).ok_or_else(|| {
                            bad("mppr=P or mppr=P:Q (2nd procedure at P %, 3rd and later at Q %, 0–100) or mppr=off".into())
                        })?)
                    };
                    set(&mut rules.mppr, v, at)
                }
                "mppr_codes" => {
                    let v = CodeRanges::parse(value).ok_or_else(|| {
                        bad("mppr_codes=CODE-CODE … (codes or ranges separated by blanks, e.g. 10000-69999 97010-97799; range ends of equal length)".into())
                    })?;
                    set(&mut rules.mppr_codes, v, at)
                }
                "bilateral" => set(&mut rules.bilateral, percent(300)?, at),
                "assistant" => set(&mut rules.assistant, percent(100)?, at),
                "sequestration" => set(&mut rules.sequestration, percent(100)?, at),
                "professional" | "technical" => {
                    let (slot, default) = if name == "professional" {
                        (&mut rules.professional, "26")
                    } else {
                        (&mut rules.technical, "TC")
                    };
                    let v = if value.eq_ignore_ascii_case("off") {
                        None
                    } else {
                        Some(parse_component(value, default).ok_or_else(|| {
                            bad(format!(
                                "{name}=MOD:P or {name}=P (modifier, default {default}, and its share of the global, 0–100) or {name}=off"
                            ))
                        })?)
                    };
                    set(slot, v, at)
                }
                _ => return Err(bad(format!("a known rule ({RULE_NAMES})"))),
            };
            if seen {
                return Err(bad(format!("{name} given once per row")));
            }
        }
        Ok(rules)
    }

    /// `mppr=50;bilateral=150`: the rules a row sets, as a row would
    /// write them.
    #[cfg(test)]
    pub fn describe(&self) -> String {
        let pct = |p: &Option<Decimal>| p.map_or("off".to_string(), |p| p.normalize().to_string());
        let mut parts = Vec::new();
        if let Some(s) = &self.mppr {
            parts.push(format!(
                "mppr={}",
                s.value
                    .map_or("off".to_string(), |m| if m.second == m.rest {
                        m.second.normalize().to_string()
                    } else {
                        format!("{}:{}", m.second.normalize(), m.rest.normalize())
                    })
            ));
        }
        if let Some(s) = &self.mppr_codes {
            parts.push(format!("mppr_codes={}", s.value.describe()));
        }
        if let Some(s) = &self.bilateral {
            parts.push(format!("bilateral={}", pct(&s.value)));
        }
        if let Some(s) = &self.assistant {
            parts.push(format!("assistant={}", pct(&s.value)));
        }
        for (name, slot) in [
            ("professional", &self.professional),
            ("technical", &self.technical),
        ] {
            if let Some(s) = slot {
                parts.push(match &s.value {
                    Some(c) => format!("{name}={}:{}", c.modifier, c.percent.normalize()),
                    None => format!("{name}=off"),
                });
            }
        }
        if let Some(s) = &self.sequestration {
            parts.push(format!("sequestration={}", pct(&s.value)));
        }
        parts.join(";")
    }
}

/// Sets a rule; true when the row had already set it.
fn set<T>(slot: &mut Option<Sourced<T>>, value: T, from: Option<RowRef>) -> bool {
    slot.replace(Sourced { value, from }).is_some()
}

fn parse_mppr(value: &str) -> Option<Mppr> {
    let (second, rest) = value.split_once(':').unwrap_or((value, value));
    Some(Mppr {
        second: super::table::percent(second, 100)?,
        rest: super::table::percent(rest, 100)?,
    })
}

fn parse_component(value: &str, default: &str) -> Option<Component> {
    let (modifier, percent) = match value.split_once(':') {
        Some((m, p)) => (m.trim(), p),
        None => (default, value),
    };
    let modifier = super::table::modifiers(modifier)?;
    let [modifier] = modifier.as_slice() else {
        return None;
    };
    Some(Component {
        modifier: modifier.clone(),
        percent: super::table::percent(percent, 100)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> RowRef {
        RowRef {
            file: "c.csv".into(),
            line: 2,
        }
    }

    #[test]
    fn the_issue_example_parses() {
        let r = Rules::parse(
            "mppr=50;bilateral=150;assistant=16;professional=26:40;technical=TC:60",
            &at(),
        )
        .unwrap();
        assert_eq!(
            r.describe(),
            "mppr=50;bilateral=150;assistant=16;professional=26:40;technical=TC:60"
        );
        let r = Rules::parse(
            " mppr = 50:25 ; professional=40 ; sequestration=off ;",
            &at(),
        )
        .unwrap();
        assert_eq!(
            r.describe(),
            "mppr=50:25;professional=26:40;sequestration=off"
        );
    }

    #[test]
    fn bad_rules_say_what_was_expected() {
        let e = |t: &str| Rules::parse(t, &at()).unwrap_err();
        assert_eq!(e("mppr=150").0, "mppr=150");
        assert!(e("mppr=150").1.starts_with("mppr=P or mppr=P:Q"));
        assert!(e("discount=10").1.contains("a known rule"));
        assert!(e("mppr").1.contains("name=value"));
        assert!(e("mppr=50;mppr=25").1.contains("once per row"));
        assert!(e("professional=2X6:40").1.starts_with("professional=MOD:P"));
        assert!(e("mppr_codes=10000-6999").1.starts_with("mppr_codes="));
    }

    #[test]
    fn a_later_layer_overrides_rule_by_rule() {
        let mut rules = Rules::builtin();
        rules.overlay(&Rules::parse("mppr=50;assistant=16", &at()).unwrap());
        rules.overlay(&Rules::parse("mppr=off;sequestration=off", &at()).unwrap());
        assert_eq!(
            rules.describe(),
            "mppr=off;mppr_codes=10000-69999;assistant=16;sequestration=off"
        );
    }

    #[test]
    fn surgery_is_the_cpt_surgery_section() {
        let s = CodeRanges::surgery();
        assert!(s.contains("27447"));
        assert!(s.contains("10000") && s.contains("69999"));
        assert!(!s.contains("97110") && !s.contains("99213") && !s.contains("G0283"));
        assert!(!s.contains("1000"));
    }
}
