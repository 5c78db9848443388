using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Strait.RunsApi.Data.Migrations
{
    /// <inheritdoc />
    public partial class JobRunsIndex : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_runs_job_id_created_at_id",
                schema: "runs",
                table: "runs",
                columns: new[] { "job_id", "created_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_runs_job_id_created_at_id",
                schema: "runs",
                table: "runs");
        }
    }
}
