"""The import of an existing register (Excel, LibreOffice or CSV) into memberships, through a preview."""
