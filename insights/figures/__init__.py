"""Every figure insights computes, one function (or property) per figure, which the pages, the
PDFs, the API, e-mails and the health score all call:

- :mod:`.revenue`: MRR, ARR, ARPA; over a period NRR, GRR, expansion, contraction, churn,
  retention, CLV;
- :mod:`.usage`: DAU, WAU, MAU, stickiness, seat use, feature adoption, trends;
- :mod:`.health`: the health score's parts, the score and its band, what pulled it down;
- :mod:`.book`: the CSM's book of business, from the three above;
- :mod:`.upsell`: the open upsell leads (CSQLs).

Figures are exact (``Decimal``, rates as fractions) and ``None`` means "no data"; they are
rounded once, where they are shown, by :mod:`portal.formatting`. Nothing here writes: the
writes are in :mod:`insights.services`.
"""
