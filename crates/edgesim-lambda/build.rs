//! Links the embedded Python with a RUNPATH to the interpreter pyo3 found, so the binary loads
//! that interpreter's `libpython` and not the distribution's (engines.md §4.1).

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
}
