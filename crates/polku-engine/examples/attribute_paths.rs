//! Attribution of a path file in ChannelAttribution's sample layout
//! (`path;total_conversions;total_conversion_value;total_null`), with the time of each phase
//! on standard error and `channel,model,conversions,value` CSV on standard output, as
//! `polku attribution --paths FILE --format csv` prints it.
//!
//! ```text
//! cargo run --release -p polku-engine --example attribute_paths -- FILE [MODELS] [ORDER] [MAX_STEPS]
//! ```
//!
//! `MODELS` is a comma-separated list of `first`, `last`, `linear`, `markov`, ... (default
//! `markov`).

use std::io::Write;
use std::time::Instant;

use polku_engine::attribution::markov::{MarkovModel, MarkovOptions};
use polku_engine::attribution::{Model, PathFileFormat, Settings, attribute, read_path_file};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let file = args
        .first()
        .ok_or("usage: attribute_paths FILE [MODELS] [ORDER] [MAX_STEPS]")?;
    let models: Vec<Model> = args
        .get(1)
        .map_or("markov", String::as_str)
        .split(',')
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let order: usize = args.get(2).map_or(Ok(1), |o| o.parse())?;
    let max_steps: Option<usize> = args.get(3).map(|m| m.parse()).transpose()?;
    let format = PathFileFormat {
        delimiter: b';',
        nulls_column: Some("total_null".into()),
        value_column: Some("total_conversion_value".into()),
        ..PathFileFormat::default()
    };
    let mut err = std::io::stderr().lock();
    let t = Instant::now();
    let paths = read_path_file(file.as_ref(), &format)?;
    writeln!(
        err,
        "read   {:>8.3} s  {} paths, {} channels, {} touches",
        t.elapsed().as_secs_f64(),
        paths.len(),
        paths.channel_count(),
        paths.touch_count()
    )?;
    let markov = MarkovOptions {
        order,
        max_steps,
        ..MarkovOptions::default()
    };
    let settings = Settings {
        markov: markov.clone(),
        ..Settings::default()
    };
    let mut csv = String::from("channel,model,conversions,value\n");
    for model in models {
        let t = Instant::now();
        let credits = if model == Model::Markov {
            let fitted = MarkovModel::fit(&paths, &markov)?;
            let fit = t.elapsed().as_secs_f64();
            let r = fitted.solve()?;
            writeln!(
                err,
                "markov {fit:>8.3} s fit ({} states, largest component {}), {:.3} s solve ({} sweeps, error bound {:e})",
                fitted.state_count(),
                fitted.largest_component(),
                t.elapsed().as_secs_f64() - fit,
                r.sweeps,
                r.error_bound
            )?;
            r.credits
        } else {
            let c = attribute(&paths, model, &settings)?;
            writeln!(err, "{model:<6} {:>8.3} s", t.elapsed().as_secs_f64())?;
            c
        };
        for (c, name) in paths.channel_names().iter().enumerate() {
            csv.push_str(&format!(
                "{name},{model},{},{}\n",
                credits.conversions[c], credits.value[c]
            ));
        }
    }
    std::io::stdout().lock().write_all(csv.as_bytes())?;
    Ok(())
}
