//! The analysis commands' tables and notes follow the workspace language; CSV and JSON are
//! the same in every language.

mod common;

use std::path::{Path, PathBuf};

use common::{Imported, Run, generated_workspace, new_workspace, ok, polku};

/// A B2B workspace in English with generated events, ad costs and survey answers imported.
fn workspace_with_data() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let ws = generated_workspace(
        tmp.path(),
        "b2b",
        "en",
        600,
        11,
        Imported::EventsCostsSurvey,
    );
    (tmp, ws)
}

/// Switches the workspace's `language` in polku.yaml, keeping everything else.
fn set_language(ws: &Path, lang: &str) {
    let file = ws.join("polku.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("language:")).count(),
        1,
        "{text}"
    );
    let switched: Vec<String> = text
        .lines()
        .map(|l| {
            if l.starts_with("language:") {
                format!("language: {lang}")
            } else {
                l.to_owned()
            }
        })
        .collect();
    std::fs::write(&file, switched.join("\n") + "\n").unwrap();
}

/// Runs `args` with the workspace in English, then in Finnish.
fn both(ws: &Path, args: &[&str]) -> (Run, Run) {
    set_language(ws, "en");
    let en = ok(ws, args);
    set_language(ws, "fi");
    let fi = ok(ws, args);
    set_language(ws, "en");
    (en, fi)
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// A share as the Finnish tables write it: one decimal, decimal comma, space before %.
fn fi_share(x: f64) -> String {
    format!("{:.1} %", x * 100.0).replace('.', ",")
}

#[test]
fn csv_and_json_are_the_same_in_both_languages() {
    let (_tmp, ws) = workspace_with_data();
    let period = ["--from", "2025-04-01", "--to", "2025-05-31"];
    let commands: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["funnel", "--steps", "page_view,lead_created,purchase"],
            "step,count,conversion",
        ),
        (vec!["stages", "hr-hanna-current"], "stage,reached"),
        (vec!["paths", "--start", "page_view"], "path,journeys"),
        ([&["breakpoints"][..], &period].concat(), "kind,id,stage"),
        (
            vec![
                "abtest",
                "--variant-prop",
                "customer_type",
                "--metric",
                "purchase",
            ],
            "variant,customers",
        ),
        (vec!["kpis"], "channel,page_views"),
        (
            vec!["kpis", "--by", "stage", "--map", "hr-hanna-current"],
            "stage,page_views",
        ),
        (
            vec!["attribution", "--model", "first,last,markov"],
            "channel,model,conversions,value",
        ),
        (vec!["retention"], "cohort,period,active,retention"),
        (vec!["repeat"], "customers,repeat_customers,repeat_rate"),
        (
            vec!["distributions", "--conversion", "purchase"],
            "measure,bucket",
        ),
    ];
    for (args, header) in &commands {
        for format in ["csv", "json"] {
            let mut args = args.clone();
            args.extend(["--format", format]);
            let (en, fi) = both(&ws, &args);
            assert_eq!(en.stdout, fi.stdout, "{args:?}");
            if format == "csv" {
                assert!(en.stdout.starts_with(header), "{args:?}: {}", en.stdout);
                assert!(en.stdout.lines().count() > 1, "{args:?}: {}", en.stdout);
            } else {
                assert!(json(&en).is_object() || json(&en).is_array(), "{args:?}");
            }
        }
        // The same command's table is what changes with the language.
        let mut table = args.clone();
        if table[0] == "retention" {
            table.extend(["--format", "table"]);
        }
        let (en, fi) = both(&ws, &table);
        assert_ne!(en.stdout, fi.stdout, "{table:?}");
    }
    for args in [
        &["personas", "sizes", "--format", "json"][..],
        &["stats", "--format", "json"],
        &["segments", "--format", "csv"],
        &["segments", "--format", "json"],
    ] {
        let (en, fi) = both(&ws, args);
        assert_eq!(en.stdout, fi.stdout, "{args:?}");
        assert!(en.stdout.len() > 20, "{args:?}: {}", en.stdout);
    }
}

#[test]
fn funnel_and_stages_tables_in_finnish() {
    let (_tmp, ws) = workspace_with_data();
    let steps = ["funnel", "--steps", "page_view,lead_created,purchase"];
    let report = json(&ok(&ws, &[&steps[..], &["--format", "json"]].concat()));
    let (en, fi) = both(&ws, &[&steps[..], &["--window", "30d"]].concat());
    let header = |t: &str| {
        t.lines()
            .next()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        header(&fi.stdout),
        "askel asiakkaat ensimmäisestä edellisestä mediaaniaika"
    );
    assert_eq!(
        header(&en.stdout),
        "step customers of first of previous median time"
    );
    assert!(
        fi.stdout
            .contains("askeleet järjestyksessä, aikaikkuna 30,0 pv"),
        "{}",
        fi.stdout
    );
    assert!(
        en.stdout.contains("order: ordered, window 30.0 d"),
        "{}",
        en.stdout
    );
    // Every step's share of the first, with a decimal comma and a space before the sign.
    for step in report["steps"].as_array().unwrap() {
        let share = fi_share(step["conversion"].as_f64().unwrap());
        assert!(fi.stdout.contains(&share), "{share} in\n{}", fi.stdout);
        let en_share = format!("{:.1} %", step["conversion"].as_f64().unwrap() * 100.0);
        assert!(
            en.stdout.contains(&en_share),
            "{en_share} in\n{}",
            en.stdout
        );
    }

    let (en, fi) = both(&ws, &["stages", "hr-hanna-current"]);
    assert!(fi.stdout.contains("vaihe "), "{}", fi.stdout);
    assert!(fi.stdout.contains("seuraavaan vaiheeseen"), "{}", fi.stdout);
    assert!(
        fi.stdout.contains("siirtymät vaiheiden välillä"),
        "{}",
        fi.stdout
    );
    assert!(en.stdout.contains("moves between stages"), "{}", en.stdout);

    // Notes on standard error follow the language too.
    let missing = ["funnel", "--steps", "page_view,no_such_event"];
    let (en, fi) = both(&ws, &missing);
    assert!(
        fi.stderr
            .contains("huom: askel `no_such_event` ei ole datan tapahtuman nimi"),
        "{}",
        fi.stderr
    );
    assert!(
        en.stderr
            .contains("note: step `no_such_event` is no event name"),
        "{}",
        en.stderr
    );
}

#[test]
fn breakpoints_table_in_finnish() {
    let (_tmp, ws) = workspace_with_data();
    let args = ["breakpoints", "--from", "2025-04-01", "--to", "2025-05-31"];
    let (en, fi) = both(&ws, &args);
    assert!(
        fi.stdout.starts_with(
            "hr-hanna-current: 2025-04-01 – 2025-05-31 verrattuna jaksoon 2025-01-30 – 2025-03-31 ja muihin personiin"
        ),
        "{}",
        fi.stdout
    );
    let header = fi.stdout.lines().nth(2).unwrap();
    for column in [
        "kohta",
        "persona",
        "omistaja",
        "saavutti",
        "putoaa",
        "ennen",
        "muut",
        "vertailu",
        "menetetty",
    ] {
        assert!(header.contains(column), "{column} in {header}");
    }
    assert!(fi.stdout.contains("vaihe consideration"), "{}", fi.stdout);
    assert!(fi.stdout.contains("kosketuspiste "), "{}", fi.stdout);
    assert!(
        fi.stdout.contains("ennen: samojen asiakkaiden putoaminen"),
        "{}",
        fi.stdout
    );
    assert!(en.stdout.contains("stage consideration"), "{}", en.stdout);
    assert!(
        en.stdout.contains("before: the same customers' drop-off"),
        "{}",
        en.stdout
    );
    // The rows' drop-off rates in the Finnish style.
    let report = json(&ok(&ws, &[&args[..], &["--format", "json"]].concat()));
    let first = &report["breakpoints"][0];
    assert!(
        fi.stdout
            .contains(&fi_share(first["drop_off_rate"].as_f64().unwrap())),
        "{}",
        fi.stdout
    );
}

#[test]
fn abtest_verdict_in_finnish() {
    let args = [
        "abtest",
        "--variant-prop",
        "customer_type",
        "--metric",
        "purchase",
    ];
    let (_tmp, ws) = workspace_with_data();
    let report = json(&ok(&ws, &[&args[..], &["--format", "json"]].concat()));
    let (en, fi) = both(&ws, &args);
    // The English table says what the report's own verdict says.
    assert!(
        en.stdout.contains(report["verdict"].as_str().unwrap()),
        "{}\n{}",
        report["verdict"],
        en.stdout
    );
    assert!(
        fi.stdout
            .starts_with("variantti  asiakkaat  konvertoituneet  osuus"),
        "{}",
        fi.stdout
    );
    assert!(fi.stdout.contains("z-testi: testisuure "), "{}", fi.stdout);
    assert!(
        fi.stdout
            .contains("Variantit eroavat (p = 0,0000, kaksisuuntainen): b2c konvertoi parhaiten."),
        "{}",
        fi.stdout
    );
    // Too few customers: the same caution in Finnish.
    let small = [&args[..], &["--persona", "hr-hanna"]].concat();
    let report = json(&ok(&ws, &[&small[..], &["--format", "json"]].concat()));
    assert_eq!(report["sample_too_small"], true);
    let (en, fi) = both(&ws, &small);
    assert!(en.stdout.contains(report["verdict"].as_str().unwrap()));
    assert!(
        fi.stdout.contains("Otos on liian pieni varianttien erottamiseen: jokainen variantti tarvitsee vähintään 30 asiakasta"),
        "{}",
        fi.stdout
    );
}

#[test]
fn kpis_and_attribution_tables_in_finnish() {
    let (_tmp, ws) = workspace_with_data();
    let (en, fi) = both(&ws, &["kpis"]);
    let lines: Vec<&str> = fi.stdout.lines().collect();
    assert_eq!(lines[0], "liikennemittarit");
    assert!(
        lines[1].starts_with("kanava") && lines[1].contains("sivunkatselut"),
        "{}",
        lines[1]
    );
    assert!(fi.stdout.contains("\nkäyttäjämittarit\n") && fi.stdout.contains("\nmyyntimittarit\n"));
    assert!(fi.stdout.contains("liidien laatu"), "{}", fi.stdout);
    assert!(en.stdout.starts_with("traffic\nchannel"), "{}", en.stdout);
    let (_, fi) = both(
        &ws,
        &["kpis", "--by", "touchpoint", "--map", "hr-hanna-current"],
    );
    assert!(
        fi.stdout.starts_with("liikennemittarit\nkosketuspiste"),
        "{}",
        fi.stdout
    );

    let args = ["attribution", "--model", "first,last,markov"];
    let (en, fi) = both(&ws, &args);
    assert!(
        fi.stdout
            .lines()
            .next()
            .unwrap()
            .contains("kosketukset: käynnit kanavaryhmittäin"),
        "{}",
        fi.stdout
    );
    for word in [
        "KONVERSIOT",
        "ARVO",
        "yhteensä",
        "KULUT",
        "OMA ILMOITUS",
        "yhtäpitävyys",
    ] {
        assert!(fi.stdout.contains(word), "{word} in\n{}", fi.stdout);
    }
    for word in [
        "CONVERSIONS",
        "VALUE",
        "total",
        "COSTS",
        "SELF-REPORTED",
        "agreement",
    ] {
        assert!(en.stdout.contains(word), "{word} in\n{}", en.stdout);
        assert!(!fi.stdout.contains(word), "{word} in\n{}", fi.stdout);
    }
    // The credits are the same numbers, written with a decimal comma.
    let total = en
        .stdout
        .lines()
        .find(|l| l.starts_with("total"))
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .replace('.', ",");
    assert!(total.contains(','), "{total}");
    assert!(fi.stdout.contains(&total), "{total} in\n{}", fi.stdout);

    // A path file has no workspace: its table stays in English wherever it is run.
    let paths = ws.join("paths.csv");
    std::fs::write(
        &paths,
        "path,total_conversions\nemail > search,3\nsearch,2\n",
    )
    .unwrap();
    set_language(&ws, "fi");
    let file = ok(
        &ws,
        &[
            "attribution",
            "--paths",
            paths.to_str().unwrap(),
            "--model",
            "first",
        ],
    );
    assert!(file.stdout.starts_with("CONVERSIONS"), "{}", file.stdout);
}

#[test]
fn stats_and_an_empty_workspace_speak_finnish() {
    let (_tmp, ws) = new_workspace("b2b", "fi");
    let stats = ok(&ws, &["stats"]);
    assert!(
        stats.stdout.starts_with("tapahtumat   0\nasiakkaat    0\n"),
        "{}",
        stats.stdout
    );
    let run = polku(&ws, &["funnel", "--steps", "page_view,purchase"]);
    assert!(
        run.stderr
            .contains("huom: työtilassa ei ole vielä tapahtumia"),
        "{}",
        run.stderr
    );
}
