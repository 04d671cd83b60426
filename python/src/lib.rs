//! `remit._remit`: the native half of the `remit` Python package. Every
//! function here converts Python arguments, releases the GIL, calls
//! `remit::columnar` (the one adapter onto remit's internals) and hands
//! the Arrow result to pyarrow through the C data interface, without
//! copying the buffers. `remit/__init__.py` is the documented API.

use std::path::PathBuf;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_pyarrow::{FromPyArrow, IntoPyArrow, PyArrowType, Table, ToPyArrow};
use arrow_schema::SchemaRef;
use pyo3::create_exception;
use pyo3::exceptions::{PyOSError, PyValueError};
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::PyList;
use remit::columnar::{self, ColumnarError, Source, X12Failure};

/// mimalloc for the memory this extension allocates, as for the `remit`
/// binary (src/main.rs): the engine spends much of its time in malloc and
/// free, and a Spark executor or a notebook runs the same engine as
/// `remit reconcile` and should not run it slower. Only Rust's own
/// allocations go through it (Python's objects keep the interpreter's
/// allocator); Arrow buffers handed to pyarrow are freed through their
/// release callback, in Rust, by the allocator that made them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

create_exception!(
    _remit,
    X12Error,
    PyValueError,
    "An input that cannot be used: `file`, `segment` (1-based segment number), `byte` (offset of the segment's first byte), `segment_id` and `message` say where and why."
);

/// The exception for an error of the adapter.
fn raise(py: Python<'_>, error: ColumnarError) -> PyErr {
    match error {
        ColumnarError::X12(failure) => x12_error(py, &failure),
        ColumnarError::Usage(m) => PyValueError::new_err(m),
        ColumnarError::Io(m) => PyOSError::new_err(m),
    }
}

/// `remit.X12Error` with its attributes set.
fn x12_error(py: Python<'_>, failure: &X12Failure) -> PyErr {
    let error = X12Error::new_err(failure.to_string());
    let value = error.value(py);
    let set = || -> PyResult<()> {
        value.setattr("file", &failure.file)?;
        value.setattr("segment", failure.segment)?;
        value.setattr("byte", failure.byte)?;
        value.setattr("segment_id", failure.segment_id.as_deref())?;
        value.setattr("message", &failure.message)?;
        Ok(())
    };
    match set() {
        Ok(()) => error,
        Err(e) => e,
    }
}

/// Inputs as `__init__.py` normalises them: `(name, None)` for a path,
/// `(name, bytes)` for content.
fn sources(inputs: Vec<(String, Option<PyBackedBytes>)>) -> Vec<Source> {
    inputs
        .into_iter()
        .map(|(name, bytes)| match bytes {
            None => Source::Path(PathBuf::from(name)),
            Some(bytes) => Source::Bytes {
                name,
                bytes: Box::new(bytes),
            },
        })
        .collect()
}

/// Batches as a `pyarrow.Table` of `schema`, plus the skipped inputs as
/// `X12Error` objects (not raised).
fn table_and_skipped<'py>(
    py: Python<'py>,
    batches: Vec<RecordBatch>,
    skipped: Vec<X12Failure>,
    schema: SchemaRef,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyList>)> {
    let table = Table::try_new(batches, schema)
        .map_err(|e| PyValueError::new_err(e.to_string()))?
        .into_pyarrow(py)?;
    let errors = PyList::empty(py);
    for failure in &skipped {
        errors.append(x12_error(py, failure).value(py))?;
    }
    Ok((table, errors))
}

#[pyfunction]
#[pyo3(signature = (inputs, code_lists, keep_going))]
fn lines<'py>(
    py: Python<'py>,
    inputs: Vec<(String, Option<PyBackedBytes>)>,
    code_lists: Vec<PathBuf>,
    keep_going: bool,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyList>)> {
    let sources = sources(inputs);
    let result = py.detach(|| columnar::lines(&sources, &code_lists, keep_going));
    let (batches, skipped) = result.map_err(|e| raise(py, e))?;
    table_and_skipped(py, batches, skipped, columnar::lines_schema())
}

#[pyfunction]
fn validate<'py>(
    py: Python<'py>,
    inputs: Vec<(String, Option<PyBackedBytes>)>,
) -> PyResult<Bound<'py, PyAny>> {
    let sources = sources(inputs);
    let batch = py
        .detach(|| columnar::validate(&sources))
        .map_err(|e| raise(py, e))?;
    batch.to_pyarrow(py)
}

#[pyfunction]
fn reconcile<'py>(
    py: Python<'py>,
    args: Vec<String>,
    keep_going: bool,
) -> PyResult<(Bound<'py, PyAny>, Bound<'py, PyList>)> {
    let result = py.detach(|| columnar::reconcile(&args, keep_going));
    let (batches, skipped) = result.map_err(|e| raise(py, e))?;
    table_and_skipped(py, batches, skipped, columnar::ledger_schema())
}

#[pyfunction]
fn events<'py>(py: Python<'py>, files: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    let files = RecordBatch::from_pyarrow_bound(files)?;
    let batch = py
        .detach(|| columnar::events(&files))
        .map_err(|e| raise(py, e))?;
    batch.to_pyarrow(py)
}

/// The decide stage, one provider at a time (see `remit.Decider`).
#[pyclass(module = "remit._remit")]
struct Decider {
    inner: columnar::Decider,
}

#[pymethods]
impl Decider {
    #[new]
    fn new(py: Python<'_>, args: Vec<String>, sorted: bool) -> PyResult<Decider> {
        let inner = columnar::Decider::new(&args, sorted).map_err(|e| raise(py, e))?;
        Ok(Decider { inner })
    }

    fn push<'py>(
        &mut self,
        py: Python<'py>,
        batch: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<PyArrowType<RecordBatch>>> {
        let batch = RecordBatch::from_pyarrow_bound(batch)?;
        let inner = &mut self.inner;
        let done = py.detach(|| inner.push(&batch)).map_err(|e| raise(py, e))?;
        Ok(done.into_iter().map(PyArrowType).collect())
    }

    fn finish(&mut self, py: Python<'_>) -> PyResult<Vec<PyArrowType<RecordBatch>>> {
        let inner = &mut self.inner;
        let done = py.detach(|| inner.finish()).map_err(|e| raise(py, e))?;
        Ok(done.into_iter().map(PyArrowType).collect())
    }

    fn close(&mut self, py: Python<'_>) -> PyResult<()> {
        let inner = &mut self.inner;
        py.detach(|| inner.close()).map_err(|e| raise(py, e))
    }

    /// Waits for the next batch without the GIL: the caller's other
    /// threads (and Spark's writer, fed by them) run meanwhile.
    fn next_batch(&mut self, py: Python<'_>) -> PyResult<Option<PyArrowType<RecordBatch>>> {
        let inner = &mut self.inner;
        let next = py.detach(|| inner.next_batch()).map_err(|e| raise(py, e))?;
        Ok(next.map(PyArrowType))
    }
}

#[pymodule]
fn _remit(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("X12Error", py.get_type::<X12Error>())?;
    m.add_function(wrap_pyfunction!(lines, m)?)?;
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(reconcile, m)?)?;
    m.add_function(wrap_pyfunction!(events, m)?)?;
    m.add_class::<Decider>()?;
    m.add(
        "LEDGER_SCHEMA",
        PyArrowType(Arc::unwrap_or_clone(columnar::ledger_schema())),
    )?;
    m.add(
        "LINES_SCHEMA",
        PyArrowType(Arc::unwrap_or_clone(columnar::lines_schema())),
    )?;
    m.add(
        "RECORD_SCHEMA",
        PyArrowType(Arc::unwrap_or_clone(columnar::record_schema())),
    )?;
    m.add("PAYLOAD_FORMAT", columnar::PAYLOAD_FORMAT)?;
    Ok(())
}
