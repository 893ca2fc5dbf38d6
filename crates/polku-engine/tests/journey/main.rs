//! Journey analytics over workspace tables: funnels, paths, stages and retention.

mod abtest;
mod attribution;
mod breakpoints;
mod crosscheck;
mod funnel;
mod interviews;
mod kpis;
mod machine_props;
mod paths_stages;
mod personas;
mod retention;
mod util;
