"""The office's desk: templates, the clerks' reference, a new office folder, the clerk's work
list, the reports sent up and the export to the provincial platform. Built on the loaders'
definitions (``generator.load``); never read by the site build."""
