"""Writes the CSV manifests of CsvFixturesTest as the tools people use write them (Python 3.11's csv module in
each quoting mode, a spreadsheet's "CSV UTF-8" export, pandas' DataFrame.to_csv layout). Every file holds the
same rows, which plain.csv writes by hand with no quoting at all where none is needed.

Run from this folder: python3 make_csv_fixtures.py"""
import csv

ROWS = [
    ("images/000000.jpg", "red_circle|blue_square"),
    ("images/a,b.jpg", "green_square|blue_triangle|red_circle"),   # a comma in a path
    ("images/x|y.jpg", "red_circle"),                             # a | in a path
    ("images/000003.jpg", 'the "odd" one|blue_square'),           # a quote in a label
    ("images/000004.jpg", ""),                                    # no labels
    ("images/ spaced name.jpg", "blue_square"),                   # spaces inside a path
]

def write(name, quoting, header=("path", "labels"), encoding="utf-8", **kw):
    with open(name, "w", newline="", encoding=encoding) as f:
        w = csv.writer(f, quoting=quoting, **kw)
        w.writerow(header)
        w.writerows(ROWS)

write("minimal.csv", csv.QUOTE_MINIMAL)
write("all.csv", csv.QUOTE_ALL)
write("nonnumeric.csv", csv.QUOTE_NONNUMERIC)
# a spreadsheet's "CSV UTF-8 (Comma delimited)" export: a byte-order mark, CR LF, capitalised header
write("spreadsheet.csv", csv.QUOTE_MINIMAL, header=("Image", "Labels"), encoding="utf-8-sig")
# pandas' df.to_csv("m.csv") with its default index: an unnamed first column of row numbers
with open("pandas_index.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    w.writerow(("", "path", "labels"))
    for i, r in enumerate(ROWS):
        w.writerow((i,) + r)
