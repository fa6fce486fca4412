//! `Receipt`: what an emit returns, and the reuse that keeps emitting one
//! event at a time cheap.
//!
//! Creating and freeing a Python object costs more than the emit itself
//! (~350 of ~1200 instructions per `emit_raw` call, callgrind). Most
//! callers drop the receipt at once, so each node keeps the receipt it
//! handed out last and, when nobody else holds it any more (reference
//! count 1: only the node), writes the next emit's values into it instead
//! of allocating. This is CPython's own trick for the tuples `zip` and
//! `enumerate` yield. A receipt the caller kept is never touched: its
//! count is above 1, so a fresh one is made.

use std::cell::{Cell, RefCell};

use pyo3::prelude::*;
use pyo3::sync::GILProtected;

use crate::records::py_bool;

/// Where an emitted event went. Immutable from Python; the value cell is
/// only rewritten while no Python code can reach the object (see above).
#[pyclass(frozen, module = "net_sdk._native")]
pub struct Receipt {
    value: GILProtected<Cell<net_sdk::Receipt>>,
}

impl Receipt {
    fn new(value: net_sdk::Receipt) -> Self {
        Self { value: GILProtected::new(Cell::new(value)) }
    }

    fn get(&self, py: Python<'_>) -> net_sdk::Receipt {
        self.value.get(py).get()
    }
}

#[pymethods]
impl Receipt {
    /// The shard the event was routed to.
    #[getter]
    fn shard_id(&self, py: Python<'_>) -> u16 {
        self.get(py).shard_id
    }

    /// Its per-shard sequence (2**64 - 1 when `dropped`).
    #[getter]
    fn sequence(&self, py: Python<'_>) -> u64 {
        self.get(py).sequence
    }

    /// Emit time, Unix nanoseconds.
    #[getter]
    fn timestamp(&self, py: Python<'_>) -> u64 {
        self.get(py).timestamp
    }

    /// True only under `drop_newest` when the ring was full.
    #[getter]
    fn dropped(&self, py: Python<'_>) -> bool {
        self.get(py).dropped
    }

    /// Older events this emit discarded to make room for itself (only
    /// under `drop_oldest`; also counted in `stats().events_dropped`).
    #[getter]
    fn evicted(&self, py: Python<'_>) -> u32 {
        self.get(py).evicted
    }

    /// Receipts compare by value; any other type compares unequal.
    fn __eq__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> bool {
        other.downcast::<Receipt>().is_ok_and(|o| o.get().get(py) == self.get(py))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let r = self.get(py);
        format!(
            "Receipt(shard_id={}, sequence={}, timestamp={}, dropped={}, evicted={})",
            r.shard_id,
            r.sequence,
            r.timestamp,
            py_bool(r.dropped),
            r.evicted
        )
    }
}

/// A node's last handed-out receipt, reused when the caller let go of it.
pub(crate) struct ReceiptSlot {
    last: GILProtected<RefCell<Option<Py<Receipt>>>>,
}

impl ReceiptSlot {
    pub(crate) fn new() -> Self {
        Self { last: GILProtected::new(RefCell::new(None)) }
    }

    /// A Python receipt holding `value`: the cached one if only this slot
    /// still refers to it, otherwise a new one (which becomes the cached).
    ///
    /// No borrow of the slot is held while Python may run code: creating
    /// the object can start a garbage collection whose finalisers emit on
    /// this node again.
    pub(crate) fn issue(&self, py: Python<'_>, value: net_sdk::Receipt) -> PyResult<Py<Receipt>> {
        let slot = self.last.get(py);
        if let Some(cached) = slot.borrow().as_ref() {
            // SAFETY: a valid object pointer; the GIL is held, so the count
            // cannot change under us, and a count of 1 is this slot's own
            // reference (Receipt supports no weak references).
            if unsafe { pyo3::ffi::Py_REFCNT(cached.as_ptr()) } == 1 {
                cached.get().value.get(py).set(value);
                return Ok(cached.clone_ref(py));
            }
        }
        let fresh = Py::new(py, Receipt::new(value))?;
        let previous = slot.replace(Some(fresh.clone_ref(py)));
        drop(previous); // after the borrow: freeing it may run Python code
        Ok(fresh)
    }
}

impl From<net_sdk::Receipt> for Receipt {
    fn from(value: net_sdk::Receipt) -> Self {
        Self::new(value)
    }
}
