//! Pictures drawn from the bundled templates and from hand-made maps: golden SVG snapshots,
//! PNG and PDF sizes, text wrapping, glyph coverage, and the offline report.

use polku_model::templates::{TemplateKind, template_files};
use polku_model::{
    Cited, JourneyMap, Language, Persona, Stage, StageDef, Team, Touchpoint, WorkspaceConfig,
};
use polku_render::{
    DiffInput, Paper, PosterInput, ReportInput, ReportWorkspace, Svg, diff_svg, has_glyph,
    poster_svg, report_html, svg_to_pdf, svg_to_png,
};

/// A template workspace parsed from the YAML compiled into polku-model.
struct Template {
    workspace: WorkspaceConfig,
    personas: Vec<Persona>,
    maps: Vec<JourneyMap>,
}

impl Template {
    fn load(kind: TemplateKind, lang: Language) -> Template {
        let mut workspace = None;
        let mut personas = Vec::new();
        let mut maps = Vec::new();
        for (path, text) in template_files(kind, lang) {
            let stem = path.rsplit('/').next().unwrap().trim_end_matches(".yaml");
            if path == "polku.yaml" {
                workspace =
                    Some(serde_norway::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}")));
            } else if path.starts_with("personas/") {
                let mut p: Persona =
                    serde_norway::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
                if p.id.is_empty() {
                    p.id = stem.parse().unwrap();
                }
                personas.push(p);
            } else if path.starts_with("maps/") {
                let mut m: JourneyMap =
                    serde_norway::from_str(text).unwrap_or_else(|e| panic!("{path}: {e}"));
                if m.id.is_empty() {
                    m.id = stem.parse().unwrap();
                }
                maps.push(m);
            }
        }
        Template {
            workspace: workspace.expect("the template has a polku.yaml"),
            personas,
            maps,
        }
    }

    fn map(&self, id: &str) -> &JourneyMap {
        self.maps
            .iter()
            .find(|m| m.id.as_str() == id)
            .unwrap_or_else(|| panic!("no map {id}"))
    }

    fn persona_of(&self, map: &JourneyMap) -> Option<&Persona> {
        map.persona
            .as_ref()
            .and_then(|id| self.personas.iter().find(|p| &p.id == id))
    }

    fn poster(&self, id: &str, paper: Paper) -> Svg {
        let map = self.map(id);
        poster_svg(
            &PosterInput {
                workspace: &self.workspace,
                persona: self.persona_of(map),
                map,
            },
            paper,
        )
    }
}

fn b2b_fi() -> Template {
    Template::load(TemplateKind::B2b, Language::Fi)
}

/// Every piece of text content in an SVG, unescaped.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split('>')
        .filter_map(|part| part.split('<').next())
        .filter(|t| !t.trim().is_empty())
        .map(|t| {
            t.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&amp;", "&")
        })
        .collect()
}

/// Width and height from a PNG's IHDR chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&png[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&png[16..20]), be(&png[20..24]))
}

/// The numbers of the first `/MediaBox [...]` of a PDF.
fn media_box(pdf: &[u8]) -> Vec<f64> {
    let text = String::from_utf8_lossy(pdf);
    let start = text.find("/MediaBox").expect("a MediaBox") + "/MediaBox".len();
    let rest = &text[start..];
    let open = rest.find('[').unwrap();
    let close = rest.find(']').unwrap();
    rest[open + 1..close]
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect()
}

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

/// A Finnish compound far wider than any column.
const LONG_WORD: &str = "Työterveyshuoltosopimusneuvottelukokouksenvalmisteluasiakirjaluonnoksentarkastuskierroksenaikataulusuunnitelma";

/// A small Finnish workspace built in code, with a long word and a long sentence.
fn fixture() -> (WorkspaceConfig, Persona, JourneyMap) {
    let ws = WorkspaceConfig {
        name: "Testi Oy".into(),
        language: Language::Fi,
        stages: vec![
            StageDef {
                id: id("tietoisuus"),
                name: "Tietoisuus".into(),
                phase: None,
                description: None,
            },
            StageDef {
                id: id("ostaminen"),
                name: "Ostaminen".into(),
                phase: None,
                description: None,
            },
        ],
        teams: vec![Team {
            id: id("myynti"),
            name: "Myynti".into(),
            color: Some("#e0782f".into()),
        }],
        channel_groups: vec![],
    };
    let persona = Persona {
        id: id("paivi"),
        name: "Päivi Päättäjä".into(),
        quote: Some(Cited::plain("Älä myy minulle, auta minua ostamaan.")),
        goals: vec![Cited {
            text: "Löytää kumppani, joka ymmärtää pienen yrityksen arjen".into(),
            evidence: vec![
                "interview:int-01".parse().unwrap(),
                "survey:q2".parse().unwrap(),
            ],
        }],
        ..Persona::default()
    };
    let awareness = Stage {
        stage: id("tietoisuus"),
        goals: vec![Cited::plain(LONG_WORD)],
        actions: vec![polku_model::Step {
            text:
                "Lukee äänekkäästi öisin ålandilaisia ärsyttäviä työpaikkailmoituksia ja vertailee \
                   niitä kollegoiden kokemuksiin ennen kuin päättää mitään"
                    .into(),
            emotion: Some(-2),
            ..polku_model::Step::default()
        }],
        touchpoints: vec![Touchpoint {
            id: id("messut"),
            name: "Messuosasto".into(),
            kind: polku_model::TouchpointKind::Physical,
            channel: Some("Tapahtuma".into()),
            emotion: Some(1),
            ..Touchpoint::default()
        }],
        ..Stage::default()
    };
    let purchase = Stage {
        stage: id("ostaminen"),
        owner: Some(id("myynti")),
        touchpoints: vec![Touchpoint {
            id: id("tarjous"),
            name: "Tarjous".into(),
            kind: polku_model::TouchpointKind::Analog,
            emotion: Some(-1),
            ..Touchpoint::default()
        }],
        pain_points: vec![Cited::plain("Hinta selviää vasta tarjouksesta")],
        ..Stage::default()
    };
    let map = JourneyMap {
        id: id("paivi-nyt"),
        title: "Päivin ostopolku".into(),
        persona: Some(id("paivi")),
        stages: vec![awareness, purchase],
        ..JourneyMap::default()
    };
    (ws, persona, map)
}

#[test]
fn template_poster_matches_its_snapshot() {
    let t = b2b_fi();
    let svg = t.poster("hr-hanna-current", Paper::A3);
    insta::assert_snapshot!("b2b_fi_hr_hanna_current_a3", svg.as_str());
}

#[test]
fn template_diff_matches_its_snapshot() {
    let t = b2b_fi();
    let current = t.map("hr-hanna-current");
    let future = t.map("hr-hanna-future");
    let input = DiffInput {
        workspace: &t.workspace,
        persona: t.persona_of(future),
        current,
        future,
    };
    insta::assert_snapshot!(
        "b2b_fi_hr_hanna_diff_a3",
        diff_svg(&input, Paper::A3).as_str()
    );
}

#[test]
fn fixture_poster_matches_its_snapshot() {
    let (ws, persona, map) = fixture();
    let svg = poster_svg(
        &PosterInput {
            workspace: &ws,
            persona: Some(&persona),
            map: &map,
        },
        Paper::A3,
    );
    insta::assert_snapshot!("fixture_fi_a3", svg.as_str());
}

#[test]
fn the_svg_is_sized_in_millimetres_of_the_paper() {
    let (ws, persona, map) = fixture();
    let input = PosterInput {
        workspace: &ws,
        persona: Some(&persona),
        map: &map,
    };
    let a3 = poster_svg(&input, Paper::A3);
    assert!(a3.as_str().contains("width=\"420mm\" height=\"297mm\""));
    let a2 = poster_svg(&input, Paper::A2);
    assert!(a2.as_str().contains("width=\"594mm\" height=\"420mm\""));
    assert!(a3.as_str().contains("font-family=\"Noto Sans\""));
}

#[test]
fn rendering_is_deterministic() {
    let t = b2b_fi();
    assert_eq!(
        t.poster("hr-hanna-future", Paper::A3),
        t.poster("hr-hanna-future", Paper::A3)
    );
}

#[test]
fn png_is_wide_enough_and_has_the_paper_proportions() {
    let t = b2b_fi();
    for paper in [Paper::A3, Paper::A2] {
        let svg = t.poster("hr-hanna-current", paper);
        for width in [1600, polku_render::DEFAULT_PNG_WIDTH] {
            let (w, h) = png_size(&svg_to_png(&svg, width).unwrap());
            assert_eq!(w, width);
            assert!(w >= 1600);
            let ratio = f64::from(h) / f64::from(w);
            assert!((ratio - paper.ratio()).abs() < 0.002, "{paper:?}: {w}×{h}");
        }
    }
}

#[test]
fn pdf_page_is_the_paper_in_landscape() {
    let t = b2b_fi();
    for (paper, (pw, ph)) in [
        (Paper::A3, (1190.55, 841.89)),
        (Paper::A2, (1683.78, 1190.55)),
    ] {
        let pdf = svg_to_pdf(&t.poster("hr-hanna-current", paper)).unwrap();
        assert!(pdf.starts_with(b"%PDF"), "not a PDF");
        let mb = media_box(&pdf);
        assert_eq!(mb.len(), 4);
        let (w, h) = (mb[2] - mb[0], mb[3] - mb[1]);
        assert!(
            (w - pw).abs() < 1.0 && (h - ph).abs() < 1.0,
            "{paper:?}: {w}×{h}"
        );
        assert_eq!(paper.points().0.round(), pw.round());
        // Vector: text is set in an embedded font, nothing is rasterised.
        let text = String::from_utf8_lossy(&pdf);
        assert!(
            text.contains("/FontFile2") || text.contains("/FontFile3"),
            "no embedded font"
        );
        assert!(
            !text.contains("/Subtype /Image"),
            "a raster image in the PDF"
        );
    }
}

#[test]
fn finnish_letters_are_in_the_font_and_in_the_picture() {
    for c in ['ä', 'ö', 'å', 'Ä', 'Ö', 'Å'] {
        assert!(has_glyph(c), "{c}");
    }
    let (ws, persona, map) = fixture();
    let svg = poster_svg(
        &PosterInput {
            workspace: &ws,
            persona: Some(&persona),
            map: &map,
        },
        Paper::A3,
    );
    let texts = svg_texts(svg.as_str()).join(" ");
    for word in [
        "Päivin",
        "ålandilaisia",
        "ärsyttäviä",
        "Päivi Päättäjä",
        "Tavoitteet",
        "Kosketuspisteet",
    ] {
        assert!(texts.contains(word), "{word} missing");
    }
}

#[test]
fn long_text_wraps_into_lines_and_long_words_break() {
    let (ws, persona, map) = fixture();
    let svg = poster_svg(
        &PosterInput {
            workspace: &ws,
            persona: Some(&persona),
            map: &map,
        },
        Paper::A3,
    );
    let texts = svg_texts(svg.as_str());
    let word = LONG_WORD;
    assert!(
        !texts.iter().any(|t| t.contains(word)),
        "the long word is on one line"
    );
    let pieces: Vec<&String> = texts
        .iter()
        .filter(|t| t.ends_with('-') && word.starts_with(t.trim_end_matches('-')))
        .collect();
    assert!(!pieces.is_empty(), "no hyphenated piece of the long word");
    let joined: String = texts.iter().map(|t| t.trim_end_matches('-')).collect();
    assert!(
        joined.contains(word),
        "the pieces of the long word do not add up to it"
    );
    // The long sentence is split over several lines, each no longer than the sentence.
    let lines: Vec<&String> = texts.iter().filter(|t| "Lukee äänekkäästi öisin ålandilaisia ärsyttäviä työpaikkailmoituksia ja vertailee niitä kollegoiden kokemuksiin ennen kuin päättää mitään".contains(t.as_str())).collect();
    assert!(lines.len() >= 3, "{lines:?}");
}

#[test]
fn every_character_drawn_has_a_glyph() {
    for kind in TemplateKind::ALL {
        for lang in [Language::Fi, Language::En] {
            let t = Template::load(kind, lang);
            let mut svgs: Vec<Svg> = t
                .maps
                .iter()
                .map(|m| t.poster(m.id.as_str(), Paper::A3))
                .collect();
            for future in t.maps.iter().filter(|m| m.improves.is_some()) {
                let current = t.map(future.improves.as_ref().unwrap().as_str());
                let input = DiffInput {
                    workspace: &t.workspace,
                    persona: t.persona_of(future),
                    current,
                    future,
                };
                svgs.push(diff_svg(&input, Paper::A3));
            }
            for svg in &svgs {
                for text in svg_texts(svg.as_str()) {
                    for c in text.chars().filter(|c| !c.is_whitespace()) {
                        assert!(
                            has_glyph(c),
                            "{kind:?}/{lang:?}: no glyph for {c:?} in {text:?}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn empty_lanes_are_left_out() {
    let (ws, persona, map) = fixture();
    let svg = poster_svg(
        &PosterInput {
            workspace: &ws,
            persona: Some(&persona),
            map: &map,
        },
        Paper::A3,
    );
    let texts = svg_texts(svg.as_str());
    assert!(texts.iter().any(|t| t == "Kipupisteet"));
    for lane in ["Mittarit", "Mahdollisuudet", "Totuuden hetket"] {
        assert!(
            !texts.iter().any(|t| t == lane),
            "{lane} drawn though empty"
        );
    }
}

#[test]
fn english_workspaces_get_english_labels() {
    let t = Template::load(TemplateKind::B2b, Language::En);
    let svg = t.poster("hr-hanna-current", Paper::A3);
    let texts = svg_texts(svg.as_str());
    for label in [
        "Goals",
        "Touchpoints",
        "Pain points",
        "Opportunities",
        "BUYER PERSONA",
    ] {
        assert!(texts.iter().any(|t| t == label), "{label}");
    }
}

#[test]
fn diff_picture_shows_what_changed() {
    let t = b2b_fi();
    let current = t.map("hr-hanna-current");
    let future = t.map("hr-hanna-future");
    let input = DiffInput {
        workspace: &t.workspace,
        persona: t.persona_of(future),
        current,
        future,
    };
    let svg = diff_svg(&input, Paper::A3);
    let texts = svg_texts(svg.as_str()).join(" ");
    let diff = polku_model::diff::diff_maps(current, future);
    for tp in diff.added().chain(diff.removed()) {
        assert!(texts.contains(&tp.name), "{} missing", tp.name);
    }
    assert!(
        svg.as_str().contains("line-through"),
        "removed touchpoints are struck"
    );
    assert!(
        svg.as_str().contains("stroke-dasharray=\"6 4\""),
        "the current curve is dashed"
    );
    let (w, _) = png_size(&svg_to_png(&svg, 1600).unwrap());
    assert_eq!(w, 1600);
    assert!(svg_to_pdf(&svg).unwrap().starts_with(b"%PDF"));
}

#[test]
fn report_is_one_offline_file() {
    let fi = b2b_fi();
    let en = Template::load(TemplateKind::B2c, Language::En);
    let input = ReportInput {
        title: "Esimerkit",
        workspaces: [&fi, &en]
            .iter()
            .map(|t| ReportWorkspace {
                workspace: &t.workspace,
                personas: &t.personas,
                maps: &t.maps,
            })
            .collect(),
    };
    let html = report_html(&input);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "an external URL"
    );
    assert_eq!(html.matches("@font-face").count(), 3);
    assert!(html.contains("data:font/ttf;base64,"));
    assert!(html.contains("<html lang=\"fi\">") && html.contains("lang=\"en\""));
    assert!(html.contains("Sisällys"));
    for t in [&fi, &en] {
        for m in &t.maps {
            assert!(
                html.contains(&format!("-{}\"><figcaption>", m.id)),
                "no figure for {}",
                m.id
            );
            assert!(
                html.contains(&m.title.replace('\'', "&#39;")),
                "{}",
                m.title
            );
        }
        for p in &t.personas {
            assert!(html.contains(&p.name), "{}", p.name);
        }
    }
    assert_eq!(html.matches("<svg").count(), fi.maps.len() + en.maps.len());
    // Every link of the table of contents has its target.
    for href in html
        .split("href=\"#")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
    {
        assert!(
            html.contains(&format!("id=\"{href}\"")),
            "no target for #{href}"
        );
    }
}
