"""The pure analysis engine: parse sources into facts and run the rule registry over them."""
