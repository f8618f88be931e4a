"""The workforce register brought in from a list (Excel or CSV) through the register's import wizard
(register.imports.kinds): its columns and their usual wordings, each row decided against the register,
the writes and their undo, the template and the export (columns, reading, writing, files; kind puts
them together for the wizard).

A row is a person in a post at an agency (Nghị định 110/2024/NĐ-CP: civil servants, public employees,
employees, and the commune social-work collaborators, full-time or part-time). It is the person already
in the register when it has the same citizen ID, or — without one in the register — the same name,
year of birth and agency: then it is unchanged (nothing written, so importing a list again changes
nothing) or an update of that record in place. Otherwise a new person. An agency is recognised by its
name among those the importing facility keeps; an agency not yet kept is added when the list is
imported, and removed again by the undo while nobody else works there.
"""
