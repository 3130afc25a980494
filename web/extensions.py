"""Flask extensions, created unbound; `create_app` binds them."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from storage.models import Base

# Models are plain SQLAlchemy 2 classes on storage.models.Base; the extension only manages sessions.
# expire_on_commit=False: a use case commits once and its objects are still read to build the response;
# reloading every attribute after the commit would double the statements per step.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False})
migrate = Migrate()
