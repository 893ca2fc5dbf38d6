//! Journey analytics over workspace tables: funnels, paths, stages and retention.

mod crosscheck;
mod funnel;
mod machine_props;
mod paths_stages;
mod retention;
mod util;
