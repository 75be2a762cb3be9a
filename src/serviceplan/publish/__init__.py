"""Publishing: the monthly batch (``batch``: prepare, execute the notebooks, KPI files, finish), the kernels, the
execution cache, the manifest, versions, the render (Quarto site and committee PDF, or previews), and the privacy
and accessibility gates that stand before every publication."""
