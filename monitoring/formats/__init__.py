"""The layouts the results import reads (DESIGN.md §6), one module per family of files.

``headers``     which layout a file is and where a sheet's header row stands (shared by all);
``parsing``     what a parser yields (ResultRow, ResultBlock, ContextRow, AggregateRow) and the
                cell readers the parsers share (integers, decimals, school codes, keyed hashes);
``vpr_f1``      ВПР «Ф1 Индивидуальные результаты»;
``vpr_reports`` ВПР «Ф3 Статистика по отметкам» and «Сравнение отметок с отметками по журналу»;
``rcoi``        ОГЭ/ЕГЭ protocols of the РЦОИ (``max_scores``: maximum primary scores per exam);
``ege_report``  regional ЕГЭ reports by school;
``results_csv``, ``context``, ``aggregates``: the canonical templates (``layouts`` lists
                every layout for the upload page and builds the templates' files).

Parsers know only the file; everything that needs the database is checked in
monitoring.imports.validate.
"""
