"""Reports: a cycle's OKRs as an XLSX workbook or a PPTX deck (issue 14)."""
