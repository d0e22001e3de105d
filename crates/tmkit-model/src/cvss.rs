//! CVSS vectors (3.0, 3.1, 4.0): parsing, scoring and qualitative severity.
