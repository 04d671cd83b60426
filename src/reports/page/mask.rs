//! Masking of protected health information on the report page: member
//! names and member ids are shown in full only when the user asks for it
//! (`--show-phi`); otherwise a name keeps two initials and an id keeps a
//! short prefix, enough to tell a plan's id format apart, not to identify a
//! patient.

/// Whether member names and ids are shown as they are or masked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Privacy {
    /// Names and ids masked (the default).
    #[default]
    Masked,
    /// Names and ids in full (`--show-phi`).
    Shown,
}

impl Privacy {
    /// The member name as this setting shows it.
    pub fn name(self, name: &str) -> String {
        match self {
            Privacy::Masked => mask_name(name),
            Privacy::Shown => name.to_string(),
        }
    }

    /// The member id as this setting shows it.
    pub fn id(self, id: &str) -> String {
        match self {
            Privacy::Masked => mask_id(id),
            Privacy::Shown => id.to_string(),
        }
    }
}

/// `RIVERA, LUCIA` → `R*** L.`; a name without a comma keeps its first
/// initial only (`RIVERA` → `R***`); an empty name stays empty.
pub fn mask_name(name: &str) -> String {
    let (last, first) = match name.split_once(',') {
        Some((last, first)) => (last.trim(), first.trim()),
        None => (name.trim(), ""),
    };
    let Some(initial) = last.chars().next() else {
        return String::new();
    };
    let mut out = format!("{initial}***");
    if let Some(first) = first.chars().next() {
        out.push(' ');
        out.push(first);
        out.push('.');
    }
    out
}

/// An id keeps its first third (at most 4 characters) and the rest becomes
/// `*`: `W11112222` → `W11******`, `ACM100234` → `ACM******`. Ids of up to
/// three characters are masked entirely.
pub fn mask_id(id: &str) -> String {
    let id = id.trim();
    let len = id.chars().count();
    let keep = if len <= 3 { 0 } else { (len / 3).min(4) };
    id.chars()
        .enumerate()
        .map(|(i, c)| if i < keep { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_keep_two_initials() {
        assert_eq!(mask_name("RIVERA, LUCIA"), "R*** L.");
        assert_eq!(mask_name("O'NEIL, MARY ANN"), "O*** M.");
        assert_eq!(mask_name("RIVERA"), "R***");
        assert_eq!(mask_name("ÅSTRÖM, ÉVA"), "Å*** É.");
        assert_eq!(mask_name(""), "");
        assert_eq!(mask_name(" , "), "");
    }

    #[test]
    fn ids_keep_a_short_prefix() {
        assert_eq!(mask_id("W11112222"), "W11******");
        assert_eq!(mask_id("ACM100234"), "ACM******");
        assert_eq!(mask_id("123456789012345"), "1234***********");
        assert_eq!(mask_id("AB1"), "***");
        assert_eq!(mask_id(""), "");
    }

    #[test]
    fn shown_keeps_everything() {
        assert_eq!(Privacy::Shown.name("RIVERA, LUCIA"), "RIVERA, LUCIA");
        assert_eq!(Privacy::Shown.id("W11112222"), "W11112222");
        assert_eq!(Privacy::Masked.id("W11112222"), "W11******");
    }
}
