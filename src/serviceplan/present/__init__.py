"""The presentation layer shared by every report page: Finnish formats, the chart theme, charts with alt text,
tables, disclosure control and generated Finnish phrases.

Modules: :mod:`~serviceplan.present.format` (numbers, euros, months), :mod:`~serviceplan.present.theme`
(seaborn theme, Okabe–Ito palette), :mod:`~serviceplan.present.charts`, :mod:`~serviceplan.present.tables`,
:mod:`~serviceplan.present.disclosure` (small-count suppression) and :mod:`~serviceplan.present.narrative`.
"""
