"""The 办理流程 tab of an item, flow templates, the flowchart preview."""
