//! The built-in ISO/IEC 27001:2022 Annex A catalog: id, title and theme of all 93 controls.
//! Titles only: the control text is ISO's copyright and is not shipped.

use std::sync::OnceLock;

use crate::model::types::ControlId;

/// One Annex A control as the catalog knows it.
#[derive(Debug, Clone)]
pub struct CatalogControl {
    pub id: ControlId,
    pub title: &'static str,
    pub theme: &'static str,
}

const ANNEX_A: &str = include_str!("annex-a.tsv");

/// Every Annex A control, in catalog order.
pub fn annex_a() -> &'static [CatalogControl] {
    // Parsed once from the embedded table; the table is ours and is checked by a unit test,
    // so a malformed row is a programming error and is skipped rather than panicking.
    static CATALOG: OnceLock<Vec<CatalogControl>> = OnceLock::new();
    CATALOG.get_or_init(|| {
        ANNEX_A
            .lines()
            .skip(1)
            .filter_map(|line| {
                let mut cols = line.split('\t');
                let id = ControlId::parse(cols.next()?)?;
                Some(CatalogControl {
                    id,
                    title: cols.next()?,
                    theme: cols.next()?,
                })
            })
            .collect()
    })
}

/// The catalog's position of a control, if the catalog has it.
pub fn index_of(id: ControlId) -> Option<usize> {
    // Looked up for every control reference of every item on every `serve` save: a table,
    // not a scan of the catalog.
    static INDEX: OnceLock<rustc_hash::FxHashMap<ControlId, usize>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let mut index = rustc_hash::FxHashMap::default();
            for (i, c) in annex_a().iter().enumerate() {
                // The first of a repeated id, as a scan would find it.
                index.entry(c.id).or_insert(i);
            }
            index
        })
        .get(&id)
        .copied()
}

/// The themes in catalog order.
pub const THEMES: [&str; 4] = ["Organizational", "People", "Physical", "Technological"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_of_finds_every_control_at_its_place() {
        for (i, c) in annex_a().iter().enumerate() {
            assert_eq!(index_of(c.id), Some(i), "{}", c.id);
        }
        for unknown in ["A.5.38", "A.9.1", "A.4.1", "99.99"] {
            let id = ControlId::parse(unknown).expect("parses");
            assert_eq!(index_of(id), None, "{unknown}");
        }
    }

    #[test]
    fn has_all_93_controls_by_theme() {
        let cat = annex_a();
        assert_eq!(cat.len(), 93);
        let count = |t: &str| cat.iter().filter(|c| c.theme == t).count();
        assert_eq!(
            THEMES.map(count),
            [37, 8, 14, 34],
            "organizational, people, physical, technological"
        );
        assert_eq!(cat[0].id.to_string(), "A.5.1");
        assert!(index_of(ControlId::parse("A.8.34").unwrap()).is_some());
        assert!(index_of(ControlId::parse("A.5.99").unwrap()).is_none());
    }
}
