"""Flask extensions, created unbound; `create_app` binds them."""
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

from storage.models import Base

# Models are plain SQLAlchemy 2 classes on storage.models.Base; the extension only manages sessions.
db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
