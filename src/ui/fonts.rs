//! The text system draws with the bundled fonts only.
//!
//! iced 0.14 shapes and draws all text through one global cosmic-text
//! `FontSystem` ([`iced_graphics::text::font_system`]). iced builds it with
//! every font installed on the machine and picks fallback fonts by script
//! and by the system locale, so a machine's own CJK font (Noto Sans CJK JP,
//! say) drew 𠮷 instead of our kanji supplement, and screens differed from
//! one machine to the next. [`install`] swaps that font system for one that
//! holds only the bundled faces, before iced draws anything.

use std::sync::{Arc, Once, PoisonError};

use iced_graphics::text::cosmic_text::{self, fontdb};
use iced_graphics::text::font_system;

use super::theme;

/// The locale the font system assumes, whatever the machine's: cosmic-text
/// chooses fallbacks by it.
const LOCALE: &str = "ja-JP";

/// The bundled faces in the order they enter the font database: BIZ
/// UDPGothic regular and bold, then the kanji supplement. cosmic-text's
/// fallback lists name none of them, so a character the requested face
/// lacks is looked for in the faces of the nearest weight first, in this
/// order: BIZ UDPGothic, then the supplement.
const BUNDLED: [&[u8]; 3] = [
    theme::FONT_REGULAR,
    theme::FONT_BOLD,
    theme::FONT_KANJI_SUPPLEMENT,
];

/// iced's own font for widget icons (check marks, pick-list arrows), built
/// into iced and kept.
const ICED_ICONS: &str = "Iced-Icons";

/// Makes iced draw with the bundled fonts only (idempotent). Call it
/// before anything builds or draws text: [`super::iced_settings`] does.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let mut fonts = font_system()
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        let raw = fonts.raw();
        *raw = bundled_font_system(raw.db());
    });
}

/// A font system with the bundled faces and iced's icon font from `iced`
/// (the database iced built), and nothing of the machine's.
fn bundled_font_system(iced: &fontdb::Database) -> cosmic_text::FontSystem {
    let mut db = fontdb::Database::new();
    for font in BUNDLED {
        db.load_font_source(fontdb::Source::Binary(Arc::new(font)));
    }
    // iced loads its icon font from memory; the machine's fonts come from
    // files, so a system font of that name is not taken.
    let icons = iced.faces().filter(|face| {
        matches!(face.source, fontdb::Source::Binary(_))
            && face.families.iter().any(|(name, _)| name == ICED_ICONS)
    });
    for face in icons {
        db.push_face_info(fontdb::FaceInfo {
            id: fontdb::ID::dummy(),
            ..face.clone()
        });
    }
    // Generic families (iced's default font, `Font::MONOSPACE`, …) would
    // otherwise name fonts the machine may or may not have.
    db.set_sans_serif_family(theme::FAMILY);
    db.set_serif_family(theme::FAMILY);
    db.set_monospace_family(theme::FAMILY);
    db.set_cursive_family(theme::FAMILY);
    db.set_fantasy_family(theme::FAMILY);
    cosmic_text::FontSystem::new_with_locale_and_db(LOCALE.to_owned(), db)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::{Path, PathBuf};

    use cosmic_text::skrifa::{FontRef, MetadataProvider, charmap::MapVariant};
    use iced::Font;

    use super::*;

    const SUPPLEMENT: &str = "Madoguchi Kanji Supplement";
    // Indices into BUNDLED.
    const REGULAR: usize = 0;
    const BOLD: usize = 1;
    const KANJI: usize = 2;
    const DECOY: &str = "Noto Sans CJK JP";

    fn repo(path: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
    }

    /// One shaped glyph: the face it comes from (its family, and its index
    /// in BUNDLED if it is a bundled one), its id in that face, the bytes
    /// of the text it draws, its advance.
    #[derive(Debug)]
    struct Glyph {
        family: String,
        bundled: Option<usize>,
        id: u16,
        text: std::ops::Range<usize>,
        advance: f32,
    }

    impl Glyph {
        fn is_from(&self, font: usize) -> bool {
            self.bundled == Some(font)
        }
    }

    /// Shapes `text` on one line as iced does for text that is not ASCII.
    fn shape(fonts: &mut cosmic_text::FontSystem, text: &str, font: Font) -> Vec<Glyph> {
        let mut buffer = cosmic_text::Buffer::new(fonts, cosmic_text::Metrics::new(18.0, 24.0));
        buffer.set_wrap(fonts, cosmic_text::Wrap::None);
        buffer.set_size(fonts, None, None);
        buffer.set_text(
            fonts,
            text,
            &iced_graphics::text::to_attributes(font),
            cosmic_text::Shaping::Advanced,
            None,
        );
        let mut known = std::collections::HashMap::new();
        let mut out = Vec::new();
        for run in buffer.layout_runs() {
            for g in run.glyphs {
                let (family, bundled) = known
                    .entry(g.font_id)
                    .or_insert_with(|| {
                        let db = fonts.db();
                        let family = db.face(g.font_id).expect("a known face").families[0]
                            .0
                            .clone();
                        let bundled = db
                            .with_face_data(g.font_id, |data, _| {
                                BUNDLED.iter().position(|b| *b == data)
                            })
                            .flatten();
                        (family, bundled)
                    })
                    .clone();
                out.push(Glyph {
                    family,
                    bundled,
                    id: g.glyph_id,
                    text: g.start..g.end,
                    advance: g.w,
                });
            }
        }
        out
    }

    /// iced's font system once the app's settings are built, as the app
    /// and the GUI tests build them.
    fn installed() -> std::sync::RwLockWriteGuard<'static, iced_graphics::text::FontSystem> {
        let _ = crate::ui::iced_settings();
        system()
    }

    /// iced's font system (a failed test holding it must not fail the others).
    fn system() -> std::sync::RwLockWriteGuard<'static, iced_graphics::text::FontSystem> {
        font_system()
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn only(glyphs: Vec<Glyph>) -> Glyph {
        assert_eq!(glyphs.len(), 1, "one glyph expected: {glyphs:?}");
        glyphs.into_iter().next().unwrap()
    }

    fn cmap(font: &[u8], c: char) -> Option<u16> {
        let id = FontRef::new(font).unwrap().charmap().map(c)?.to_u32();
        Some(u16::try_from(id).unwrap())
    }

    /// The bundled face that should draw `c` in `font`: BIZ UDPGothic of
    /// that weight if it has the character, else the supplement.
    fn expected_face(c: char, font: Font) -> usize {
        let biz = if font.weight == iced::font::Weight::Bold {
            BOLD
        } else {
            REGULAR
        };
        if cmap(BUNDLED[biz], c).is_some() {
            biz
        } else {
            KANJI
        }
    }

    fn faces(fonts: &cosmic_text::FontSystem) -> Vec<(String, fontdb::Weight)> {
        fonts
            .db()
            .faces()
            .map(|f| (f.families[0].0.clone(), f.weight))
            .collect()
    }

    /// Everything the app can show: JIS X 0213:2004, the demo cards'
    /// holder names and addresses, the Fluent catalogues, and the text of
    /// the app's own code.
    fn shown_characters() -> BTreeSet<char> {
        let jis = jis_x_0213();
        assert_eq!(jis.len(), 11_233, "JIS X 0213:2004 has 11,233 characters");
        let mut all: BTreeSet<char> = jis.concat().into_iter().collect();
        for card in std::fs::read_dir(repo("fixtures/cards")).unwrap() {
            let toml = std::fs::read_to_string(card.unwrap().path().join("card.toml")).unwrap();
            let card: toml::Table = toml::from_str(&toml).unwrap();
            for key in ["name", "address"] {
                all.extend(card["card_info"][key].as_str().unwrap().chars());
            }
        }
        for language in std::fs::read_dir(repo("assets/i18n")).unwrap() {
            let ftl =
                std::fs::read_to_string(language.unwrap().path().join("madoguchi.ftl")).unwrap();
            for line in ftl.lines().filter(|l| !l.trim_start().starts_with('#')) {
                all.extend(line.chars().filter(|c| !c.is_control()));
            }
        }
        let mut sources = vec![repo("src")];
        while let Some(path) = sources.pop() {
            if path.is_dir() {
                sources.extend(std::fs::read_dir(path).unwrap().map(|e| e.unwrap().path()));
            } else if path.extension().is_some_and(|e| e == "rs") {
                let code = std::fs::read_to_string(path).unwrap();
                all.extend(code.chars().filter(|c| !c.is_ascii()));
            }
        }
        all
    }

    /// The characters of JIS X 0213:2004, one or two code points each.
    fn jis_x_0213() -> Vec<Vec<char>> {
        let list = std::fs::read_to_string(repo("assets/fonts/test/jisx0213.txt")).unwrap();
        list.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|line| line.split_whitespace().skip(1).map(code_point).collect())
            .collect()
    }

    /// `U+XXXX` as a char.
    fn code_point(u: &str) -> char {
        let hex = u.strip_prefix("U+").expect("U+XXXX");
        char::from_u32(u32::from_str_radix(hex, 16).unwrap()).unwrap()
    }

    /// The ideographic variation sequences Noto Sans CJK JP supports.
    fn noto_ivs() -> Vec<(char, char)> {
        let list = std::fs::read_to_string(repo("assets/fonts/test/noto-ivs.txt")).unwrap();
        list.lines()
            .filter(|l| !l.starts_with('#'))
            .map(|line| {
                let mut cps = line.split_whitespace().map(code_point);
                (cps.next().unwrap(), cps.next().unwrap())
            })
            .collect()
    }

    #[test]
    fn iced_settings_leave_only_the_bundled_faces() {
        let settings = crate::ui::iced_settings();
        // iced must not load them again: copies would follow the originals.
        assert!(settings.fonts.is_empty());
        let _ = crate::ui::iced_settings();
        let mut fonts = system();
        let raw = fonts.raw();
        let normal = fontdb::Weight::NORMAL;
        assert_eq!(
            faces(raw),
            [
                (theme::FAMILY.to_owned(), normal),
                (theme::FAMILY.to_owned(), fontdb::Weight::BOLD),
                (SUPPLEMENT.to_owned(), normal),
                (ICED_ICONS.to_owned(), normal),
            ]
        );
        assert_eq!(raw.locale(), LOCALE);
        for family in [
            fontdb::Family::SansSerif,
            fontdb::Family::Serif,
            fontdb::Family::Monospace,
            fontdb::Family::Cursive,
            fontdb::Family::Fantasy,
        ] {
            assert_eq!(raw.db().family_name(&family), theme::FAMILY);
        }
        // Generic families draw with the bundled font too.
        let latin = only(shape(raw, "M", Font::MONOSPACE));
        assert!(latin.is_from(REGULAR), "{latin:?}");
    }

    /// 𠮷 (from the supplement), 髙 and 﨑 (from BIZ UDPGothic) through the
    /// font system iced draws with, in regular and bold: the bundled face's
    /// own glyph for the character, not tofu, not 吉 / 高 / 崎.
    #[test]
    fn rare_kanji_are_drawn_from_the_bundled_faces() {
        let mut fonts = installed();
        let raw = fonts.raw();
        for font in [theme::FONT, theme::BOLD] {
            for (rare, common) in [('𠮷', '吉'), ('髙', '高'), ('﨑', '崎')] {
                let face = expected_face(rare, font);
                let glyph = only(shape(raw, &rare.to_string(), font));
                assert!(glyph.is_from(face), "{rare} drawn from {}", glyph.family);
                assert_eq!(Some(glyph.id), cmap(BUNDLED[face], rare), "{rare}");
                assert_ne!(glyph.id, 0, "{rare} is tofu");
                let plain = only(shape(raw, &common.to_string(), font));
                let same = plain.bundled == glyph.bundled && plain.id == glyph.id;
                assert!(!same, "{rare} drawn as {common}");
            }
            // In a line, as on the document screen.
            let line = shape(raw, "髙﨑　𠮷乃", font);
            let yoshi = line.iter().find(|g| g.text == (9..13)).unwrap();
            assert_eq!(yoshi.family, SUPPLEMENT);
            assert!(line.iter().all(|g| g.id != 0));
        }
        assert_eq!(expected_face('𠮷', theme::FONT), KANJI);
    }

    #[test]
    fn bundled_faces_cover_everything_shown() {
        let chars = shown_characters();
        for c in "𠮷髙﨑⦅⦆か゚".chars() {
            assert!(chars.contains(&c), "{c} missing from the list");
        }
        let fonts = [theme::FONT_REGULAR, theme::FONT_KANJI_SUPPLEMENT];
        let missing: Vec<String> = chars
            .iter()
            .filter(|&&c| fonts.iter().all(|f| cmap(f, c).is_none()))
            .map(|c| format!("U+{:04X}", u32::from(*c)))
            .collect();
        assert!(missing.is_empty(), "no bundled glyph for {missing:?}");
        // Bold has the same characters as regular.
        for &c in &chars {
            assert_eq!(
                cmap(theme::FONT_BOLD, c).is_some(),
                cmap(theme::FONT_REGULAR, c).is_some()
            );
        }
        // And shaped, whole JIS sequences included (か゚ is か + U+309A).
        let text: String = jis_x_0213().concat().into_iter().collect();
        let mut fonts = installed();
        let tofu: Vec<&str> = shape(fonts.raw(), &text, theme::FONT)
            .iter()
            .filter(|g| g.id == 0)
            .map(|g| &text[g.text.clone()])
            .collect();
        assert!(tofu.is_empty(), "tofu for {tofu:?}");
    }

    /// An ideograph with a variation selector is drawn by the bundled face
    /// that has the ideograph: with that face's variant where its cmap
    /// format-14 table has the sequence (BIZ UDPGothic's own, or Noto's
    /// copied into the supplement), else as the plain ideograph with the
    /// selector hidden. Never tofu, never a visible selector.
    #[test]
    fn variation_sequences_draw_their_base_or_variant() {
        let sequences = noto_ivs();
        assert!(sequences.len() > 14_000, "{} sequences", sequences.len());
        let mut text = String::new();
        let mut spans = Vec::new();
        for &(base, selector) in &sequences {
            let start = text.len();
            text.push(base);
            text.push(selector);
            spans.push(start..text.len());
        }
        let glyphs = shape(installed().raw(), &text, theme::FONT);
        // A sequence is one cluster: its glyphs start where it starts.
        let mut by_start = std::collections::HashMap::<usize, Vec<&Glyph>>::new();
        for g in &glyphs {
            by_start.entry(g.text.start).or_default().push(g);
        }
        // The faces that drew a variant glyph.
        let mut variants = BTreeSet::new();
        for (&(base, selector), span) in sequences.iter().zip(spans) {
            let what = format!("U+{:04X} U+{:04X}", u32::from(base), u32::from(selector));
            let drawn = by_start.remove(&span.start).unwrap_or_default();
            let (first, rest) = drawn
                .split_first()
                .unwrap_or_else(|| panic!("{what} not drawn"));
            let face = expected_face(base, theme::FONT);
            let id = match FontRef::new(BUNDLED[face])
                .unwrap()
                .charmap()
                .map_variant(base, selector)
            {
                Some(MapVariant::Variant(id)) => {
                    variants.insert(face);
                    Some(u16::try_from(id.to_u32()).unwrap())
                }
                _ => cmap(BUNDLED[face], base),
            };
            assert!(first.is_from(face), "{what} drawn from {}", first.family);
            assert_eq!(Some(first.id), id, "{what}");
            for g in rest {
                assert!(
                    g.id != 0 && g.advance == 0.0,
                    "{what}: selector drawn as {g:?}"
                );
            }
        }
        assert_eq!(
            variants,
            BTreeSet::from([REGULAR, KANJI]),
            "variant glyphs from both BIZ UDPGothic and the supplement"
        );
        assert!(
            by_start.is_empty(),
            "glyphs outside the sequences: {by_start:?}"
        );
    }

    /// A decoy font that calls itself Noto Sans CJK JP and draws 吉 for 𠮷,
    /// loaded before the bundled fonts as a machine's fonts are: it wins in
    /// a font system built as iced 0.14 builds it, and is gone from the
    /// one `install` puts in its place.
    #[test]
    fn a_machine_font_cannot_replace_the_supplement() {
        let decoy: &'static [u8] =
            std::fs::read(repo("assets/fonts/test/decoy-noto-sans-cjk-jp.ttf"))
                .unwrap()
                .leak();
        let mut machine = fontdb::Database::new();
        machine.load_font_source(fontdb::Source::Binary(Arc::new(decoy)));
        for font in BUNDLED {
            machine.load_font_source(fontdb::Source::Binary(Arc::new(font)));
        }
        let mut as_iced_had_it =
            cosmic_text::FontSystem::new_with_locale_and_db(LOCALE.into(), machine);
        let before = only(shape(&mut as_iced_had_it, "𠮷", theme::FONT));
        assert!(
            before.family == DECOY && before.bundled.is_none(),
            "{before:?}"
        );

        let mut bundled = bundled_font_system(as_iced_had_it.db());
        assert!(faces(&bundled).iter().all(|(family, _)| family != DECOY));
        let after = only(shape(&mut bundled, "𠮷", theme::FONT));
        assert!(after.is_from(KANJI), "{after:?}");
        assert_eq!(Some(after.id), cmap(theme::FONT_KANJI_SUPPLEMENT, '𠮷'));
    }

    /// The same with the decoy as a real system font: this test runs itself
    /// again in a fresh process whose fontconfig knows only the decoy's
    /// folder, so iced's font system starts out with it; the app's settings
    /// must leave 𠮷 to the supplement.
    #[cfg(all(unix, not(target_os = "macos")))]
    #[test]
    fn a_system_font_cannot_replace_the_supplement() {
        const CHILD: &str = "MADOGUCHI_FONT_DECOY_CHILD";
        const NAME: &str = "ui::fonts::tests::a_system_font_cannot_replace_the_supplement";
        if std::env::var_os(CHILD).is_some() {
            return in_fresh_process();
        }
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(
            repo("assets/fonts/test/decoy-noto-sans-cjk-jp.ttf"),
            dir.path().join("decoy.ttf"),
        )
        .unwrap();
        let conf = dir.path().join("fonts.conf");
        // The decoy also claims sans-serif, as a machine's configuration may.
        std::fs::write(
            &conf,
            format!(
                "<?xml version=\"1.0\"?>\n<fontconfig>\n<dir>{}</dir>\n\
                 <alias><family>sans-serif</family><prefer><family>{DECOY}</family></prefer></alias>\n\
                 </fontconfig>\n",
                dir.path().display()
            ),
        )
        .unwrap();
        let run = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", NAME, "--test-threads=1", "--nocapture"])
            .env(CHILD, "1")
            .env("FONTCONFIG_FILE", &conf)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&run.stdout);
        assert!(
            run.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&run.stderr)
        );
    }

    #[cfg(all(unix, not(target_os = "macos")))]
    fn in_fresh_process() {
        {
            let mut fonts = system();
            let raw = fonts.raw();
            let machine = faces(raw);
            assert!(
                machine.iter().any(|(f, _)| f == DECOY),
                "decoy not loaded: {machine:?}"
            );
            // What iced 0.14 did with `Settings::fonts`: the bundled fonts
            // on top of the machine's. The decoy wins: the bug.
            for font in BUNDLED {
                raw.db_mut()
                    .load_font_source(fontdb::Source::Binary(Arc::new(font)));
            }
            assert_eq!(only(shape(raw, "𠮷", theme::FONT)).family, DECOY);
        }
        let mut fonts = installed();
        let raw = fonts.raw();
        assert!(faces(raw).iter().all(|(f, _)| f != DECOY));
        let yoshi = only(shape(raw, "𠮷", theme::FONT));
        assert!(yoshi.is_from(KANJI), "{yoshi:?}");
        assert_eq!(Some(yoshi.id), cmap(theme::FONT_KANJI_SUPPLEMENT, '𠮷'));
        let sans = only(shape(raw, "M", Font::DEFAULT));
        assert_eq!(sans.family, theme::FAMILY);
    }
}
