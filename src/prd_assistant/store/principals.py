"""The two fixed principals of the draft database: the local user and the whole workspace.

No database code here: the page names them (who is logged in, who a draft is shared with)
before the database layer has loaded.
"""

# The owner of every draft in local (single-user) mode, and of drafts made before owners.
LOCAL_USER = "local"
# A share with this principal opens the draft to everyone in the workspace.
WORKSPACE = "*"
