"""Writers: the document model -> XHTML, EPUB and PDF. They read only the model."""
