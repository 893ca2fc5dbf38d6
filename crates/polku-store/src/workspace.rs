//! Reading and writing the YAML documents of a workspace folder.
