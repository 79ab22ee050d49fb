"""The product's guarantees, each defined once and used by drafting, verification, the web app and eval.

- :mod:`figures` — what a figure is, how it is normalised, when it is traced to a quote
- :mod:`jurisdiction` — whose work a source is (the bureau, its city, its province, elsewhere)
- :mod:`validity` — whether a document is in force at the reply date (repealed, draft, expired)
- :mod:`quotes` — whether a cited quote still equals the stored text
- :mod:`tense` — whether a sentence tells what was done or what will be done
- :mod:`parameters` — an ask to change a measure's parameter, and a sentence stating one
- :mod:`worthiness` — whether a sentence belongs in a reply letter at all
- :mod:`structure` — whether the letter has its parts, in order
- :mod:`flags` — the typed flags every rule reports with (stable codes, Chinese messages)
"""
