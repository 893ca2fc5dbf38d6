//! The query engine over one workspace's tables.
//!
//! [`Analytics`] opens a DataFusion session in which each table folder of the workspace
//! (`events/`, `tables/costs/`, ...) is a Parquet listing table under its
//! [`Table::name`], and polku's functions are registered. Journey queries start from
//! [`Analytics::events`]: the event table with three derived columns, [`WHO`] (the customer),
//! [`TIME_US`] (UTC microseconds) and [`ORDINAL`] (the position in the files, so that events of
//! the same time keep the order they were imported in).
//!
//! The engine is asynchronous; `Analytics` owns a runtime and offers blocking methods, so
//! callers need no async code.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::execution::options::ParquetReadOptions;
use datafusion::functions::core::expr_fn::{coalesce, file_row_index, input_file_name};
use datafusion::logical_expr::{ExprSchemable, ScalarUDF, cast};
use datafusion::prelude::{DataFrame, Expr, SessionConfig, SessionContext, col, lit};
use datafusion::scalar::ScalarValue;
use polku_store::EventStore;
use polku_store::schema::{Table, event_col};

use crate::error::{AnalyticsError, Result};
use crate::udf::file_order::{ROWS_PER_FILE, file_order_udf};
use crate::udf::json_prop::json_prop_udf;

/// The derived column with the customer: the stitched customer, else the user id, else the
/// anonymous id.
pub const WHO: &str = "who";
/// The derived column with the event time in UTC microseconds (Int64).
pub const TIME_US: &str = "time_us";
/// The derived column with the event's position in the event files (Int64).
pub const ORDINAL: &str = "ordinal";

const FILE: &str = "__polku_file";
const ROW: &str = "__polku_row";

/// A half-open time range `[from, to)` in UTC microseconds; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TimeRange {
    /// The first microsecond in the range.
    pub from_us: Option<i64>,
    /// The first microsecond after the range.
    pub to_us: Option<i64>,
}

impl TimeRange {
    /// Every time.
    pub const ALL: TimeRange = TimeRange {
        from_us: None,
        to_us: None,
    };
}

/// Settings of the query engine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineSettings {
    /// Worker threads and partitions; `None` is the number of cores.
    pub threads: Option<usize>,
    /// Rows per batch.
    pub batch_rows: usize,
}

impl Default for EngineSettings {
    fn default() -> Self {
        EngineSettings {
            threads: None,
            batch_rows: 8192,
        }
    }
}

/// The query engine over one workspace's tables.
pub struct Analytics {
    runtime: tokio::runtime::Runtime,
    ctx: SessionContext,
    root: PathBuf,
    event_files: Vec<String>,
    file_order: ScalarUDF,
    /// The customers of one persona (a single [`PERSONA_WHO`] column), when the session is
    /// restricted to them.
    pub(crate) persona_filter: Option<DataFrame>,
}

/// The customer column of a persona filter, named apart from [`WHO`] for the join.
pub(crate) const PERSONA_WHO: &str = "__persona_who";

impl std::fmt::Debug for Analytics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analytics")
            .field("root", &self.root)
            .field("event_files", &self.event_files.len())
            .finish_non_exhaustive()
    }
}

impl Analytics {
    /// Opens the tables of the workspace at `root` with default settings.
    ///
    /// # Errors
    /// When a table folder cannot be listed or read.
    pub fn open(root: impl AsRef<Path>) -> Result<Self> {
        Self::with_settings(root, EngineSettings::default())
    }

    /// Opens the tables of the workspace at `root`.
    ///
    /// # Errors
    /// When a table folder cannot be listed or read.
    pub fn with_settings(root: impl AsRef<Path>, settings: EngineSettings) -> Result<Self> {
        let root = root.as_ref().to_path_buf();
        let threads = settings
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
            .max(1);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name("polku-query")
            .build()
            .map_err(AnalyticsError::Runtime)?;
        let config = SessionConfig::new()
            .with_target_partitions(threads)
            .with_batch_size(settings.batch_rows)
            .with_information_schema(false);
        let ctx = SessionContext::new_with_config(config);
        let store = EventStore::open(&root);
        let mut event_files = Vec::new();
        for table in Table::ALL {
            let parts = store.partitions(table)?;
            if table == Table::Events {
                event_files = parts
                    .iter()
                    .filter_map(|p| p.path.file_name()?.to_str().map(str::to_owned))
                    .collect();
            }
            if parts.is_empty() {
                let empty = MemTable::try_new(table.schema(), vec![vec![]])?;
                ctx.register_table(table.name(), Arc::new(empty))?;
            } else {
                let dir = store.table_dir(table);
                let dir = std::path::absolute(&dir).unwrap_or(dir);
                let Some(url) = dir.to_str() else {
                    return Err(AnalyticsError::BadPath(dir));
                };
                let url = format!("{}/", url.trim_end_matches('/'));
                let schema = table.schema();
                let options = ParquetReadOptions::default().schema(&schema);
                runtime.block_on(ctx.register_parquet(table.name(), url, options))?;
            }
        }
        let file_order = file_order_udf(&event_files);
        ctx.register_udf(file_order.clone());
        ctx.register_udf(json_prop_udf());
        Ok(Analytics {
            runtime,
            ctx,
            root,
            event_files,
            file_order,
            persona_filter: None,
        })
    }

    /// The workspace folder.
    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The DataFusion session, with every table and function registered.
    #[must_use]
    pub fn context(&self) -> &SessionContext {
        &self.ctx
    }

    /// The names of the event files, in table order.
    #[must_use]
    pub fn event_files(&self) -> &[String] {
        &self.event_files
    }

    /// Runs a future of the engine to completion.
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// A table as a data frame.
    ///
    /// # Errors
    /// When the table cannot be read.
    pub fn table(&self, table: Table) -> Result<DataFrame> {
        Ok(self.block_on(self.ctx.table(table.name()))?)
    }

    /// Runs a query and collects its batches.
    ///
    /// # Errors
    /// When the query fails.
    pub fn collect(&self, frame: DataFrame) -> Result<Vec<RecordBatch>> {
        Ok(self.block_on(frame.collect())?)
    }

    /// The events in a time range, with the derived columns [`WHO`], [`TIME_US`] and
    /// [`ORDINAL`] next to the table's own. Events without any customer id are left out, and
    /// so are the customers of other personas when the session is restricted to one (see
    /// [`Analytics::restrict_to_persona`]).
    ///
    /// # Errors
    /// When the table cannot be read.
    pub fn events(&self, range: TimeRange) -> Result<DataFrame> {
        let frame = self.all_events(range)?;
        match &self.persona_filter {
            None => Ok(frame),
            Some(customers) => Ok(frame.join(
                customers.clone(),
                datafusion::common::JoinType::LeftSemi,
                &[WHO],
                &[PERSONA_WHO],
                None,
            )?),
        }
    }

    /// The events of every customer, whatever the persona restriction.
    pub(crate) fn all_events(&self, range: TimeRange) -> Result<DataFrame> {
        let table = self.table(Table::Events)?;
        let own: Vec<Expr> = table
            .schema()
            .fields()
            .iter()
            .map(|f| col(f.name().as_str()))
            .collect();
        let with_position = if self.event_files.is_empty() {
            let mut exprs = own.clone();
            exprs.push(lit(ScalarValue::Utf8(None)).alias(FILE));
            exprs.push(lit(0i64).alias(ROW));
            table.select(exprs)?
        } else {
            let mut exprs = own.clone();
            exprs.push(input_file_name().alias(FILE));
            exprs.push(file_row_index().alias(ROW));
            table.select(exprs)?
        };
        let time = || col(event_col::TIME);
        let ts = |us: i64| {
            lit(ScalarValue::TimestampMicrosecond(
                Some(us),
                Some("UTC".into()),
            ))
        };
        let mut filtered = with_position;
        if let Some(from) = range.from_us {
            filtered = filtered.filter(time().gt_eq(ts(from)))?;
        }
        if let Some(to) = range.to_us {
            filtered = filtered.filter(time().lt(ts(to)))?;
        }
        let who = coalesce(vec![
            col(event_col::CUSTOMER),
            col(event_col::USER_ID),
            col(event_col::ANONYMOUS_ID),
        ]);
        let ordinal = self.file_order.call(vec![col(FILE)]) * lit(ROWS_PER_FILE)
            + cast(col(ROW), DataType::Int64);
        let mut exprs = own;
        exprs.push(who.alias(WHO));
        exprs.push(cast(time(), DataType::Int64).alias(TIME_US));
        exprs.push(coalesce(vec![ordinal, lit(0i64)]).alias(ORDINAL));
        let frame = filtered.select(exprs)?.filter(col(WHO).is_not_null())?;
        debug_assert!(
            col(TIME_US)
                .get_type(frame.schema())
                .is_ok_and(|t| t == DataType::Int64)
        );
        Ok(frame)
    }
}

/// An integer or floating-point result cell as `f64`; `None` for NULL or another type.
pub(crate) fn numeric_cell(array: &datafusion::arrow::array::ArrayRef, row: usize) -> Option<f64> {
    use datafusion::arrow::array::{Array as _, AsArray as _};
    use datafusion::arrow::datatypes::{Float64Type, Int64Type};
    if array.is_null(row) {
        return None;
    }
    #[allow(clippy::cast_precision_loss)]
    if let Some(a) = array.as_primitive_opt::<Int64Type>() {
        Some(a.value(row) as f64)
    } else {
        array
            .as_primitive_opt::<Float64Type>()
            .map(|a| a.value(row))
    }
}

/// Column `index` of a query's result as 64-bit integers, or `bad()` when the plan produced
/// another type: the analyses read their aggregates through this one check.
pub(crate) fn int64_column(
    batch: &RecordBatch,
    index: usize,
    bad: impl FnOnce() -> AnalyticsError,
) -> Result<&datafusion::arrow::array::Int64Array> {
    use datafusion::arrow::array::AsArray as _;
    use datafusion::arrow::datatypes::Int64Type;
    batch
        .column(index)
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(bad)
}
