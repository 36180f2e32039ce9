"""The HTML report of a run (``massivetext report OUT``): one self-contained page.

- :mod:`~massivetext.report.run`: reads what a run wrote (``stats.json``,
  ``manifest.json``, ``run.json``, the ``removed/`` and ``failed/`` samples), never the
  shards, so a report of a 10-million-document run is as fast as one of 100;
- :mod:`~massivetext.report.funnel`: records per stage and reason, rules alone and together;
- :mod:`~massivetext.report.signals`: signal histograms with their thresholds;
- :mod:`~massivetext.report.highlights`: the characters each rule counted;
- :mod:`~massivetext.report.samples`: the removed documents shown, with their highlights;
- :mod:`~massivetext.report.compare`: two runs side by side;
- :mod:`~massivetext.report.page`: Plotly figures, Jinja2 templates, the CSP.

It may import the core (``massivetext.*``) and ``massivetext.filters``, Jinja2 and
Plotly; never apache_beam or ``massivetext.pipelines``.
"""
