//! Turning raw YAML values into typed fields, with a diagnostic for each bad value.

use crate::diagnostic::{Diagnostics, Pos};
use crate::model::{Classification, ControlId, ControlRef, Date, Markdown, Ref};
use crate::source::yaml::{self, Spanned};

/// The context of one file being converted: where it is and where its diagnostics go.
pub struct Fields<'a> {
    pub path: &'a str,
    pub line_offset: u64,
    pub diags: &'a mut Diagnostics,
}

pub type S<T> = Option<Spanned<T>>;

impl Fields<'_> {
    pub fn pos<T>(&self, v: &Spanned<T>) -> Pos {
        yaml::pos_of(v, self.path, self.line_offset)
    }

    /// A required text field; reports it missing at `entry` (the entry's position).
    pub fn required(&mut self, v: S<String>, name: &str, entry: &Pos) -> Option<String> {
        match v {
            Some(v) if !v.value.trim().is_empty() => Some(v.value.trim().to_string()),
            Some(v) => {
                let p = self.pos(&v);
                self.diags
                    .error(p, "missing-field", format!("`{name}` is empty"));
                None
            }
            None => {
                self.diags.error(
                    entry.clone(),
                    "missing-field",
                    format!("missing required field `{name}`"),
                );
                None
            }
        }
    }

    pub fn text(&self, v: S<String>) -> Option<String> {
        v.map(|v| v.value.trim().to_string())
            .filter(|s| !s.is_empty())
    }

    pub fn markdown(&self, v: S<String>) -> Option<Markdown> {
        let pos = v.as_ref().map(|v| self.pos(v));
        let text = v.map(|v| v.value).filter(|s| !s.trim().is_empty())?;
        Some(Markdown {
            text,
            pos: pos.unwrap_or_default(),
        })
    }

    /// A value from a closed vocabulary, parsed by `parse`; `what` names it in messages.
    pub fn vocab<T>(
        &mut self,
        v: S<String>,
        what: &str,
        parse: fn(&str) -> Result<T, String>,
    ) -> Option<T> {
        let v = v?;
        match parse(&v.value) {
            Ok(t) => Some(t),
            Err(e) => {
                let p = self.pos(&v);
                self.diags
                    .error(p, "unknown-value", format!("unknown {what} {e}"));
                None
            }
        }
    }

    pub fn classification(&mut self, v: S<String>, default: Classification) -> Classification {
        // An unreadable classification must never widen exposure: fall back to internal.
        match v {
            None => default,
            Some(v) => self
                .vocab(Some(v), "classification", Classification::parse)
                .unwrap_or(Classification::Internal),
        }
    }

    pub fn date(&mut self, v: S<String>) -> Option<Date> {
        let v = v?;
        match Date::parse(&v.value) {
            Ok(d) => Some(d),
            Err(e) => {
                let p = self.pos(&v);
                self.diags.error(p, "invalid-date", e);
                None
            }
        }
    }

    /// An integer score from 1 to 5 (likelihood, impact).
    pub fn score(&mut self, v: S<i64>, name: &str) -> Option<u8> {
        let v = v?;
        match u8::try_from(v.value) {
            Ok(n @ 1..=5) => Some(n),
            _ => {
                let p = self.pos(&v);
                self.diags.error(
                    p,
                    "out-of-range",
                    format!(
                        "`{name}` is {}, expected a whole number from 1 to 5",
                        v.value
                    ),
                );
                None
            }
        }
    }

    pub fn refs(&self, v: Option<Vec<Spanned<String>>>) -> Vec<Ref> {
        v.unwrap_or_default()
            .into_iter()
            .map(|s| Ref {
                pos: self.pos(&s),
                id: s.value.trim().to_string(),
            })
            .collect()
    }

    pub fn control_ref(&mut self, v: &Spanned<String>) -> Option<ControlRef> {
        let pos = self.pos(v);
        match ControlId::parse(&v.value).filter(|id| crate::catalog::index_of(*id).is_some()) {
            Some(id) => Some(ControlRef { id, pos }),
            None => {
                self.diags.error(
                    pos,
                    "unknown-control",
                    format!("unknown control \"{}\", expected an ISO/IEC 27001:2022 Annex A id such as A.5.15", v.value.trim()),
                );
                None
            }
        }
    }

    pub fn control_refs(&mut self, v: Option<Vec<Spanned<String>>>) -> Vec<ControlRef> {
        v.unwrap_or_default()
            .iter()
            .filter_map(|s| self.control_ref(s))
            .collect()
    }

    pub fn strings(&self, v: Option<Vec<String>>) -> Vec<String> {
        v.unwrap_or_default()
            .into_iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect()
    }
}
