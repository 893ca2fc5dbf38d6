//! The HTML report: one file that opens offline, with a table of contents, the persona cards
//! and every map's poster.
//!
//! Styles are inline, the posters are inline SVG, and the three Noto Sans files are embedded as
//! base64 `@font-face` rules, so the browser sets the posters' text with the very font their
//! layout was measured with. Nothing is fetched.

use crate::i18n::field_label_key;
use std::fmt::Write as _;

use polku_model::{Cited, JourneyMap, Language, Persona};

use crate::i18n::Tr;
use crate::svg::escape;
use crate::{
    LivingWorkspace, MapData, MeasuredMap, Paper, PosterInput, ReportInput, charts, fonts,
};

const CSS: &str = r#"
:root { --ink: #1d2733; --muted: #56606e; --faint: #8a94a1; --rule: #d3dae2; --card: #f1f4f7; --accent: #0e6b6b; }
* { box-sizing: border-box; }
body { margin: 0; font-family: "Noto Sans", sans-serif; color: var(--ink); background: #fff; line-height: 1.45; }
header.top { padding: 28px 40px 18px; border-bottom: 1px solid var(--rule); }
header.top h1 { margin: 0; font-size: 30px; }
nav.toc { padding: 16px 40px; background: var(--card); }
nav.toc h2 { margin: 0 0 6px; font-size: 15px; text-transform: uppercase; letter-spacing: .06em; color: var(--accent); }
nav.toc ol { margin: 0; padding-left: 20px; }
nav.toc li { margin: 2px 0; }
nav.toc a { color: var(--ink); }
main { padding: 0 40px 40px; }
section.ws { padding-top: 28px; border-bottom: 1px solid var(--rule); padding-bottom: 24px; }
section.ws > h2 { font-size: 26px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0 0 6px; }
.lang { font-size: 12px; font-weight: 700; text-transform: uppercase; color: var(--accent); border: 1px solid var(--rule); border-radius: 4px; padding: 0 5px; vertical-align: middle; }
.chip { display: inline-block; padding: 1px 10px; border-radius: 999px; font-size: 13px; margin: 2px 4px 2px 0; }
h3 { font-size: 18px; margin: 24px 0 10px; color: var(--accent); text-transform: uppercase; letter-spacing: .05em; }
.personas { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 16px; }
.persona { background: var(--card); border-left: 5px solid var(--accent); border-radius: 8px; padding: 16px 18px; }
.persona h4 { margin: 0; font-size: 22px; }
.persona .summary { color: var(--muted); margin: 2px 0 8px; }
.persona blockquote { margin: 10px 0; padding-left: 10px; border-left: 3px solid var(--accent); font-style: italic; }
.persona dl { margin: 8px 0; display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; }
.persona dt { color: var(--muted); font-weight: 700; font-size: 13px; padding-top: 2px; }
.persona dd { margin: 0; }
.persona h5 { margin: 12px 0 2px; font-size: 13px; color: var(--muted); }
.persona ul { margin: 0; padding-left: 18px; }
.uncited { color: var(--muted); font-style: italic; list-style-type: circle; }
.ev { font-size: 11px; color: var(--muted); white-space: nowrap; margin-left: 6px; font-style: normal; border-bottom: 1px dotted var(--faint); }
figure.map { margin: 18px 0 28px; }
figure.map figcaption { font-size: 15px; color: var(--muted); margin-bottom: 6px; }
figure.map figcaption strong { color: var(--ink); font-size: 18px; }
figure.map svg { width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 6px; display: block; }
section.living { margin: 0 0 34px; }
.living-meta { display: flex; flex-wrap: wrap; gap: 6px 22px; margin: 4px 0 14px; color: var(--muted); }
.living-meta strong { color: var(--ink); }
.note { color: var(--muted); font-style: italic; }
table.measured { border-collapse: collapse; margin: 8px 0 18px; font-size: 14px; min-width: 60%; }
table.measured th { text-align: left; color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; border-bottom: 2px solid var(--rule); padding: 4px 12px 4px 0; }
table.measured td { border-bottom: 1px solid var(--rule); padding: 4px 12px 4px 0; }
table.measured td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.measured tr.unbound td { color: var(--faint); font-style: italic; }
table.measured th.n { text-align: right; }
table.measured caption { text-align: left; color: var(--muted); font-size: 13px; padding-bottom: 4px; }
table.attribution-credit tr:last-child td, table.attribution-survey tr:last-child td { font-weight: 700; border-top: 2px solid var(--rule); }
figure.attribution-chart { margin: 8px 0 14px; max-width: 960px; }
figure.attribution-chart svg { width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 6px; display: block; }
.up { color: #2b8a3e; } .down { color: #d9480f; } .drop { color: #d9480f; font-weight: 700; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 18px; }
figure.chart { margin: 0; }
figure.chart svg { width: 100%; height: auto; border: 1px solid var(--rule); border-radius: 6px; display: block; }
@media print { nav.toc { display: none; } figure.map { break-inside: avoid; } }
"#;

/// Renders the report.
pub(crate) fn render(input: &ReportInput<'_>, living: &[LivingWorkspace]) -> String {
    let lang = input
        .workspaces
        .first()
        .map_or(Language::En, |w| w.workspace.language);
    let tr = Tr::new(lang);
    let mut out = String::with_capacity(4 << 20);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>\n",
        lang.code(),
        escape(input.title)
    );
    for (data, weight, style) in [
        (fonts::REGULAR, 400, "normal"),
        (fonts::BOLD, 700, "normal"),
        (fonts::ITALIC, 400, "italic"),
    ] {
        let _ = writeln!(
            out,
            "@font-face {{ font-family: \"{}\"; font-weight: {weight}; font-style: {style}; src: url(data:font/ttf;base64,{}) format(\"truetype\"); }}",
            fonts::FAMILY,
            base64(data)
        );
    }
    out.push_str(CSS);
    out.push_str("</style>\n</head>\n<body>\n");
    let _ = writeln!(
        out,
        "<header class=\"top\"><h1>{}</h1></header>",
        escape(input.title)
    );

    // Table of contents.
    let _ = writeln!(
        out,
        "<nav class=\"toc\"><h2>{}</h2><ol>",
        escape(&tr.t("report-contents"))
    );
    for (wi, w) in input.workspaces.iter().enumerate() {
        let wtr = Tr::new(w.workspace.language);
        let _ = write!(
            out,
            "<li><a href=\"#ws-{wi}\">{}</a> <span class=\"lang\">{}</span><ol>",
            escape(&w.workspace.name),
            w.workspace.language.code()
        );
        for p in w.personas {
            let _ = write!(
                out,
                "<li><a href=\"#persona-{wi}-{}\">{}: {}</a></li>",
                p.id,
                escape(&wtr.t("header-persona")),
                escape(&p.name)
            );
        }
        for m in w.maps {
            let _ = write!(
                out,
                "<li><a href=\"#map-{wi}-{}\">{}</a> <span class=\"meta\">· {}</span></li>",
                m.id,
                escape(&m.title),
                escape(&wtr.kind(m.kind))
            );
        }
        if living.get(wi).is_some_and(|l| l.attribution.is_some()) {
            let _ = write!(
                out,
                "<li><a href=\"#attribution-{wi}\">{}</a></li>",
                escape(&wtr.t("attribution-title"))
            );
        }
        out.push_str("</ol></li>\n");
    }
    out.push_str("</ol></nav>\n<main>\n");

    for (wi, w) in input.workspaces.iter().enumerate() {
        let ws = w.workspace;
        let tr = Tr::new(ws.language);
        let _ = writeln!(
            out,
            "<section class=\"ws\" id=\"ws-{wi}\" lang=\"{}\">",
            ws.language.code()
        );
        let _ = writeln!(
            out,
            "<h2>{} <span class=\"lang\">{}</span></h2>",
            escape(&ws.name),
            ws.language.code()
        );
        let stages: Vec<String> = ws.stages.iter().map(|s| escape(&s.name)).collect();
        let _ = writeln!(
            out,
            "<p class=\"meta\">{}: {}</p>",
            escape(&tr.t("report-stages")),
            stages.join(" › ")
        );
        if !ws.teams.is_empty() {
            let ctx = crate::draw::Ctx::new(ws);
            let _ = write!(out, "<p class=\"meta\">{}: ", escape(&tr.t("report-teams")));
            for t in &ws.teams {
                let bg = ctx.team_color(&t.id);
                let _ = write!(
                    out,
                    "<span class=\"chip\" style=\"background:{bg};color:{}\">{}</span>",
                    crate::draw::ink_on(&bg),
                    escape(&t.name)
                );
            }
            out.push_str("</p>\n");
        }
        if !w.personas.is_empty() {
            let _ = writeln!(
                out,
                "<h3>{}</h3>\n<div class=\"personas\">",
                escape(&tr.t("report-personas"))
            );
            for p in w.personas {
                persona_card(&mut out, &tr, wi, p);
            }
            out.push_str("</div>\n");
        }
        let live = living.get(wi);
        if let Some(l) = live {
            living_header(&mut out, &tr, l);
        }
        if !w.maps.is_empty() {
            let _ = writeln!(out, "<h3>{}</h3>", escape(&tr.t("report-maps")));
            for m in w.maps {
                let persona = m
                    .persona
                    .as_ref()
                    .and_then(|id| w.personas.iter().find(|p| &p.id == id));
                let measured = live.and_then(|l| l.maps.iter().find(|x| x.map == m.id.as_str()));
                map_figure(&mut out, &tr, wi, ws, persona, m, measured.map(|x| &x.data));
                if let Some(x) = measured.filter(|x| x.data.numbers) {
                    measured_map(&mut out, &tr, ws, m, x);
                } else if live.is_some_and(|l| l.events > 0)
                    && m.kind != polku_model::MapKind::Future
                {
                    let _ = writeln!(
                        out,
                        "<p class=\"note\">{}</p>",
                        escape(&tr.t("report-unbound"))
                    );
                }
            }
        }
        if let Some(a) = live.and_then(|l| l.attribution.as_ref()) {
            let _ = writeln!(
                out,
                "<section class=\"attribution\" id=\"attribution-{wi}\"><h3>{}</h3>",
                escape(&tr.t("attribution-title"))
            );
            if a.channels.is_empty() {
                let _ = writeln!(
                    out,
                    "<p class=\"note\">{}</p>",
                    escape(&tr.t("attribution-no-paths"))
                );
            } else {
                out.push_str(&crate::attribution_html(a));
            }
            out.push_str("</section>\n");
        }
        if let Some(r) = live.and_then(|l| l.retention.as_ref())
            && !r.cells.is_empty()
        {
            let _ = writeln!(out, "<div class=\"charts\">");
            chart(&mut out, &charts::retention_chart(r, ws.language));
            out.push_str("</div>\n");
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n</body>\n</html>\n");
    out
}

fn map_figure(
    out: &mut String,
    tr: &Tr,
    wi: usize,
    ws: &polku_model::WorkspaceConfig,
    persona: Option<&Persona>,
    m: &JourneyMap,
    data: Option<&MapData>,
) {
    let input = PosterInput {
        workspace: ws,
        persona,
        map: m,
    };
    let svg = match data {
        Some(d) => crate::living_poster_svg(&input, d, Paper::A3),
        None => crate::poster_svg(&input, Paper::A3),
    };
    // Inline SVG in HTML needs no namespace; dropping it keeps the file free of any URL.
    let svg = svg
        .as_str()
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1);
    let _ = write!(
        out,
        "<figure class=\"map\" id=\"map-{wi}-{}\"><figcaption><strong>{}</strong> · {}",
        m.id,
        escape(&m.title),
        escape(&tr.kind(m.kind))
    );
    if let Some(p) = persona {
        let _ = write!(
            out,
            " · <a href=\"#persona-{wi}-{}\">{}</a>",
            p.id,
            escape(&p.name)
        );
    }
    let _ = writeln!(out, "</figcaption>\n{svg}</figure>");
}

fn persona_card(out: &mut String, tr: &Tr, wi: usize, p: &Persona) {
    let _ = write!(
        out,
        "<article class=\"persona\" id=\"persona-{wi}-{}\">",
        p.id
    );
    let _ = write!(out, "<h4>{}</h4>", escape(&p.name));
    if let Some(s) = &p.summary {
        let _ = write!(out, "<p class=\"summary\">{}</p>", escape(s));
    }
    if let Some(t) = p.customer_type {
        let _ = write!(
            out,
            "<span class=\"chip\" style=\"border:1px solid #d3dae2\">{}</span>",
            escape(&tr.customer_type(t))
        );
    }
    if let Some(q) = &p.quote {
        let _ = write!(
            out,
            "<blockquote>”{}”{}</blockquote>",
            escape(q.text.trim_matches(['"', '”', '“'])),
            evidence(tr, q)
        );
    }
    let facts = p
        .facts()
        .map(|(name, value)| (field_label_key(name), value));
    if facts.iter().any(|(_, v)| v.is_some()) {
        out.push_str("<dl>");
        for (key, value) in facts {
            if let Some(v) = value {
                let class = if v.evidence.is_empty() {
                    " class=\"uncited\""
                } else {
                    ""
                };
                let _ = write!(
                    out,
                    "<dt>{}</dt><dd{class}>{}{}</dd>",
                    escape(&tr.t(&key)),
                    escape(&v.text),
                    evidence(tr, v)
                );
            }
        }
        out.push_str("</dl>");
    }
    let lists = p
        .lists()
        .map(|(name, items)| (field_label_key(name), items));
    for (key, items) in lists {
        if items.is_empty() {
            continue;
        }
        let _ = write!(out, "<h5>{}</h5><ul>", escape(&tr.t(&key)));
        for it in items {
            let class = if it.evidence.is_empty() {
                " class=\"uncited\""
            } else {
                ""
            };
            let _ = write!(
                out,
                "<li{class}>{}{}</li>",
                escape(&it.text),
                evidence(tr, it)
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</article>\n");
}

/// "3 sources", with the references as a tooltip; nothing for an uncited item.
fn evidence(tr: &Tr, c: &Cited) -> String {
    if c.evidence.is_empty() {
        return String::new();
    }
    let refs: Vec<String> = c.evidence.iter().map(ToString::to_string).collect();
    format!(
        "<span class=\"ev\" title=\"{}\">{}</span>",
        escape(&refs.join(", ")),
        escape(&tr.sources(c.evidence.len()))
    )
}

/// Standard base64 with padding.
fn base64(data: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Inline SVG in HTML needs no namespace; dropping it keeps the file free of any URL.
fn inline(svg: &crate::Svg) -> String {
    svg.as_str()
        .replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn chart(out: &mut String, svg: &crate::Svg) {
    let _ = writeln!(out, "<figure class=\"chart\">{}</figure>", inline(svg));
}

/// The period, filter and totals of a workspace's numbers.
fn living_header(out: &mut String, tr: &Tr, l: &LivingWorkspace) {
    let _ = writeln!(
        out,
        "<h3>{}</h3>\n<div class=\"living-meta\">",
        escape(&tr.t("report-living-map"))
    );
    if let Some(p) = &l.period {
        let _ = write!(
            out,
            "<span>{}: <strong>{}</strong></span>",
            escape(&tr.t("report-period")),
            escape(p)
        );
    }
    let persona = l
        .persona
        .clone()
        .unwrap_or_else(|| tr.t("report-all-personas"));
    let _ = writeln!(
        out,
        "<span>{}: <strong>{}</strong></span><span>{}: <strong>{}</strong></span><span>{}: <strong>{}</strong></span></div>",
        escape(&tr.t("report-persona")),
        escape(&persona),
        escape(&tr.t("report-events")),
        tr.integer(l.events),
        escape(&tr.t("report-customers")),
        tr.integer(l.customers),
    );
    if l.events == 0 {
        let _ = writeln!(
            out,
            "<p class=\"note\">{}</p>",
            escape(&tr.t("report-no-events"))
        );
    }
}

fn trend_cell(tr: &Tr, t: Option<f64>) -> String {
    match t {
        None => "<td class=\"n\"></td>".to_owned(),
        Some(t) => {
            let (class, sign) = if t > 0.0005 {
                ("up", "+")
            } else if t < -0.0005 {
                ("down", "–")
            } else {
                ("", "")
            };
            format!(
                "<td class=\"n {class}\">{sign}{}</td>",
                escape(&tr.percent(t.abs()))
            )
        }
    }
}

/// The numbers of one map next to its poster: stages, touchpoints, charts.
fn measured_map(
    out: &mut String,
    tr: &Tr,
    ws: &polku_model::WorkspaceConfig,
    m: &JourneyMap,
    x: &MeasuredMap,
) {
    let lang = ws.language;
    let _ = writeln!(
        out,
        "<section class=\"living\"><h3>{} · {}</h3>",
        escape(&tr.t("report-measured-journey")),
        escape(&m.title)
    );
    if let Some((unmatched, total)) = x.unmatched.filter(|(u, _)| *u > 0) {
        let _ = writeln!(
            out,
            "<p class=\"note\">{}</p>",
            escape(&tr.args(
                "report-unmatched",
                &[("n", tr.integer(unmatched)), ("total", tr.integer(total))]
            ))
        );
    }
    // Stages.
    let _ = write!(
        out,
        "<table class=\"measured\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(&tr.t("report-stage")),
        escape(&tr.t("report-reached")),
        escape(&tr.t("report-conversion")),
        escape(&tr.t("report-drop-off")),
        escape(&tr.t("report-trend")),
        escape(&tr.t("report-events")),
    );
    for s in &m.stages {
        let name = ws.stage_name(s);
        match x.data.stages.iter().find(|d| d.stage == s.stage.as_str()) {
            Some(d) => {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n drop\">{}</td>{}<td class=\"n\">{}</td></tr>",
                    escape(name),
                    tr.integer(d.reached),
                    d.conversion_to_next
                        .map_or_else(String::new, |c| escape(&tr.percent(c))),
                    d.drop_off_rate
                        .map_or_else(String::new, |c| escape(&tr.percent(c))),
                    trend_cell(tr, d.trend),
                    tr.integer(d.events),
                );
            }
            None => {
                let _ = write!(
                    out,
                    "<tr class=\"unbound\"><td>{}</td><td colspan=\"5\">{}</td></tr>",
                    escape(name),
                    escape(&tr.t("report-not-measured"))
                );
            }
        }
    }
    out.push_str("</tbody></table>\n");
    // Touchpoints.
    let _ = write!(
        out,
        "<table class=\"measured\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        escape(&tr.t("report-touchpoint")),
        escape(&tr.t("report-stage")),
        escape(&tr.t("report-events")),
        escape(&tr.t("report-trend")),
    );
    for s in &m.stages {
        let stage = ws.stage_name(s);
        for t in &s.touchpoints {
            match x
                .data
                .touchpoints
                .iter()
                .find(|d| d.touchpoint == t.id.as_str())
            {
                Some(d) => {
                    let _ = write!(
                        out,
                        "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td>{}</tr>",
                        escape(&t.name),
                        escape(stage),
                        tr.integer(d.events),
                        trend_cell(tr, d.trend)
                    );
                }
                None => {
                    let _ = write!(
                        out,
                        "<tr class=\"unbound\"><td>{}</td><td>{}</td><td colspan=\"2\">{}</td></tr>",
                        escape(&t.name),
                        escape(stage),
                        escape(&tr.t("report-not-measured"))
                    );
                }
            }
        }
    }
    out.push_str("</tbody></table>\n<div class=\"charts\">\n");
    if let Some(f) = &x.funnel {
        chart(out, &charts::funnel_chart(f, lang));
    }
    if let Some(b) = &x.breakpoints {
        chart(out, &charts::breakpoints_chart(b, lang));
    }
    if let Some(s) = &x.sankey {
        chart(out, &charts::sankey_chart(s, lang));
    }
    if let Some(d) = &x.distributions {
        chart(out, &charts::distributions_chart(d, lang));
    }
    if let Some(e) = &x.emotion {
        chart(out, &charts::emotion_chart(e, lang));
    }
    out.push_str("</div></section>\n");
}

#[cfg(test)]
mod tests {
    use super::base64;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64("äö".as_bytes()), "w6TDtg==");
    }
}
